package io.varflow.model.checkpoint;

import io.varflow.model.config.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The keys, shapes and element kinds a VQVAE or VAR state dict must have for a {@link ModelConfig},
 * in the order the official PyTorch modules list them (own parameters, own buffers, then children).
 * {@link #verify(StateDict)} checks a checkpoint against it before any weight is loaded, so a
 * checkpoint of another model fails with one clear message instead of a shape error deep in a
 * layer.
 */
public final class StateDictLayout {

    /** Keys a checkpoint may hold in any shape, or omit: the official loader rebuilds them. */
    public static final String EMA_VOCAB_HIT = "quantize.ema_vocab_hit_SV";

    /**
     * Element kind of an entry: floating-point weights in any float dtype, or int64 index buffers.
     */
    public enum Kind {
        FLOAT,
        INT64;

        boolean accepts(TensorDType dtype) {
            return this == FLOAT ? dtype.isFloatingPoint() : dtype == TensorDType.INT64;
        }
    }

    /**
     * One expected tensor.
     *
     * @param buffer a registered buffer (not a trainable parameter)
     * @param anyShape the shape is not checked and the key may be absent
     */
    public record Entry(String key, long[] shape, Kind kind, boolean buffer, boolean anyShape) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long numel() {
            return TensorData.numel(shape);
        }

        @Override
        public String toString() {
            return key + Arrays.toString(shape) + (kind == Kind.INT64 ? " int64" : "");
        }
    }

    private final String name;
    private final ModelConfig config;
    private final Map<String, Entry> entries;

    private StateDictLayout(String name, ModelConfig config, Map<String, Entry> entries) {
        this.name = name;
        this.config = config;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /**
     * Layout of the VQVAE described by {@code config} ({@code vae_ch160v4096z32} for the presets).
     */
    public static StateDictLayout vqvae(ModelConfig config) {
        Builder b = new Builder();
        int ch = config.ch();
        List<Integer> mult = config.chMult();
        int levels = mult.size();
        int z = config.zChannels();

        // Encoder
        b.conv("encoder.conv_in", ch, 3, 3);
        int blockIn = ch;
        for (int level = 0; level < levels; level++) {
            int blockOut = ch * mult.get(level);
            String prefix = "encoder.down." + level;
            for (int i = 0; i < ModelConfig.VAE_RES_BLOCKS; i++) {
                b.resBlock(prefix + ".block." + i, blockIn, blockOut);
                blockIn = blockOut;
            }
            if (level == levels - 1) {
                for (int i = 0; i < ModelConfig.VAE_RES_BLOCKS; i++) {
                    b.attnBlock(prefix + ".attn." + i, blockIn);
                }
            } else {
                b.conv(prefix + ".downsample.conv", blockIn, blockIn, 3);
            }
        }
        b.mid("encoder.mid", blockIn);
        b.norm("encoder.norm_out", blockIn);
        b.conv("encoder.conv_out", z, blockIn, 3);

        // Decoder: up[level] for level 0..L-1 in index order, built from the deepest level down.
        int top = ch * mult.get(levels - 1);
        b.conv("decoder.conv_in", top, z, 3);
        b.mid("decoder.mid", top);
        int[] levelIn = new int[levels];
        int in = top;
        for (int level = levels - 1; level >= 0; level--) {
            levelIn[level] = in;
            in = ch * mult.get(level);
        }
        for (int level = 0; level < levels; level++) {
            int blockOut = ch * mult.get(level);
            int blockInLevel = levelIn[level];
            String prefix = "decoder.up." + level;
            for (int i = 0; i <= ModelConfig.VAE_RES_BLOCKS; i++) {
                b.resBlock(prefix + ".block." + i, blockInLevel, blockOut);
                blockInLevel = blockOut;
            }
            if (level == levels - 1) {
                for (int i = 0; i <= ModelConfig.VAE_RES_BLOCKS; i++) {
                    b.attnBlock(prefix + ".attn." + i, blockOut);
                }
            }
            if (level != 0) {
                b.conv(prefix + ".upsample.conv", blockOut, blockOut, 3);
            }
        }
        b.norm("decoder.norm_out", ch * mult.get(0));
        b.conv("decoder.conv_out", 3, ch * mult.get(0), 3);

        // Quantizer: ema buffer, Phi convs (shared, partially shared), codebook.
        b.add(
                new Entry(
                        EMA_VOCAB_HIT,
                        new long[] {config.numScales(), config.vocabSize()},
                        Kind.FLOAT,
                        true,
                        true));
        if (Math.abs(config.quantResi()) > 1e-6) {
            if (config.shareQuantResi() == 1) {
                b.conv("quantize.quant_resi.qresi", z, z, 3);
            } else {
                for (int k = 0; k < config.shareQuantResi(); k++) {
                    b.conv("quantize.quant_resi.qresi_ls." + k, z, z, 3);
                }
            }
        }
        b.param("quantize.embedding.weight", config.vocabSize(), z);
        b.conv("quant_conv", z, z, 3);
        b.conv("post_quant_conv", z, z, 3);
        return new StateDictLayout("vqvae(" + config.name() + ")", config, b.entries);
    }

    /**
     * Layout of the VAR transformer described by {@code config}, with or without {@code
     * shared_aln}.
     */
    public static StateDictLayout var(ModelConfig config) {
        Builder b = new Builder();
        long c = config.embedDim();
        long tokens = config.totalTokens();
        b.param("pos_start", 1, 1, c);
        b.param("pos_1LC", 1, tokens, c);
        b.add(new Entry("lvl_1L", new long[] {1, tokens}, Kind.INT64, true, false));
        b.add(
                new Entry(
                        "attn_bias_for_masking",
                        new long[] {1, 1, tokens, tokens},
                        Kind.FLOAT,
                        true,
                        false));
        b.linear("word_embed", c, config.zChannels());
        b.param("class_emb.weight", config.numClasses() + 1, c);
        b.param("lvl_embed.weight", config.numScales(), c);
        if (config.sharedAln()) {
            b.linear("shared_ada_lin.1", 6 * c, c);
        }
        long hidden = (long) ModelConfig.MLP_RATIO * c;
        for (int i = 0; i < config.depth(); i++) {
            String block = "blocks." + i;
            if (config.sharedAln()) {
                b.param(block + ".ada_gss", 1, 1, 6, c);
            }
            if (config.attnL2Norm()) {
                b.param(block + ".attn.scale_mul_1H11", 1, config.numHeads(), 1, 1);
            }
            b.param(block + ".attn.q_bias", c);
            b.param(block + ".attn.v_bias", c);
            b.add(new Entry(block + ".attn.zero_k_bias", new long[] {c}, Kind.FLOAT, true, false));
            b.param(block + ".attn.mat_qkv.weight", 3 * c, c);
            b.linear(block + ".attn.proj", c, c);
            b.linear(block + ".ffn.fc1", hidden, c);
            b.linear(block + ".ffn.fc2", c, hidden);
            if (!config.sharedAln()) {
                b.linear(block + ".ada_lin.1", 6 * c, c);
            }
        }
        b.linear("head_nm.ada_lin.1", 2 * c, c);
        b.linear("head", config.vocabSize(), c);
        return new StateDictLayout("var(" + config.name() + ")", config, b.entries);
    }

    public String name() {
        return name;
    }

    /** The config this layout was built from. */
    public ModelConfig config() {
        return config;
    }

    /** Entries in official state-dict order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    public Entry entry(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            throw new IllegalArgumentException(name + " has no key '" + key + "'");
        }
        return entry;
    }

    public long[] shape(String key) {
        return entry(key).shape();
    }

    /** Number of trainable parameters (buffers excluded), as the official README counts them. */
    public long parameterCount() {
        return entries.values().stream().filter(e -> !e.buffer()).mapToLong(Entry::numel).sum();
    }

    /**
     * Checks that {@code stateDict} has exactly this layout: every expected key present with its
     * shape and element kind, and no other key. Keys marked {@code anyShape} are not checked.
     *
     * @throws CheckpointException naming the file and the first offending key, with expected and
     *     actual
     */
    public void verify(StateDict stateDict) throws CheckpointException {
        Path file = stateDict.source();
        List<String> unexpected =
                stateDict.keys().stream()
                        .filter(k -> !entries.containsKey(k))
                        .collect(Collectors.toList());
        for (Entry entry : entries.values()) {
            if (entry.anyShape()) {
                continue;
            }
            if (!stateDict.contains(entry.key())) {
                String hint =
                        unexpected.isEmpty()
                                ? ""
                                : " (the checkpoint has unexpected key '"
                                        + unexpected.get(0)
                                        + "' instead?)";
                throw new CheckpointException(
                        file,
                        "key '"
                                + entry.key()
                                + "' expected by "
                                + name
                                + " with shape "
                                + Arrays.toString(entry.shape())
                                + " is missing"
                                + hint);
            }
            TensorData tensor = stateDict.get(entry.key());
            if (!Arrays.equals(tensor.shape(), entry.shape())) {
                throw new CheckpointException(
                        file,
                        "key '"
                                + entry.key()
                                + "': "
                                + name
                                + " expects shape "
                                + Arrays.toString(entry.shape())
                                + " but the checkpoint has "
                                + Arrays.toString(tensor.shape()));
            }
            if (!entry.kind().accepts(tensor.dtype())) {
                throw new CheckpointException(
                        file,
                        "key '"
                                + entry.key()
                                + "': "
                                + name
                                + " expects "
                                + (entry.kind() == Kind.FLOAT
                                        ? "a floating-point tensor"
                                        : "an int64 tensor")
                                + " but the checkpoint has "
                                + tensor.dtype());
            }
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(
                    file,
                    "key '"
                            + unexpected.get(0)
                            + "' is not part of "
                            + name
                            + " ("
                            + unexpected.size()
                            + " unexpected key(s)): is this the right checkpoint for the config?");
        }
    }

    @Override
    public String toString() {
        return name + " with " + entries.size() + " keys";
    }

    /** Accumulates entries in module order, with helpers for the official layer kinds. */
    private static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        void add(Entry entry) {
            if (entries.put(entry.key(), entry) != null) {
                throw new IllegalStateException("duplicate key " + entry.key());
            }
        }

        void param(String key, long... shape) {
            add(new Entry(key, shape, Kind.FLOAT, false, false));
        }

        void linear(String prefix, long out, long in) {
            param(prefix + ".weight", out, in);
            param(prefix + ".bias", out);
        }

        void conv(String prefix, long out, long in, long kernel) {
            param(prefix + ".weight", out, in, kernel, kernel);
            param(prefix + ".bias", out);
        }

        void norm(String prefix, long channels) {
            param(prefix + ".weight", channels);
            param(prefix + ".bias", channels);
        }

        void resBlock(String prefix, int in, int out) {
            norm(prefix + ".norm1", in);
            conv(prefix + ".conv1", out, in, 3);
            norm(prefix + ".norm2", out);
            conv(prefix + ".conv2", out, out, 3);
            if (in != out) {
                conv(prefix + ".nin_shortcut", out, in, 1);
            }
        }

        void attnBlock(String prefix, int channels) {
            norm(prefix + ".norm", channels);
            conv(prefix + ".qkv", 3L * channels, channels, 1);
            conv(prefix + ".proj_out", channels, channels, 1);
        }

        void mid(String prefix, int channels) {
            resBlock(prefix + ".block_1", channels, channels);
            attnBlock(prefix + ".attn_1", channels);
            resBlock(prefix + ".block_2", channels, channels);
        }
    }

    /** All entries of a kind, for callers that allocate per kind. */
    public List<Entry> entries(Kind kind) {
        List<Entry> result = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.kind() == kind) {
                result.add(e);
            }
        }
        return result;
    }
}
