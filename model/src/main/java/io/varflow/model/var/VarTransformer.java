package io.varflow.model.var;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The VAR transformer (official {@code VAR} module) for inference: weights resident on the device
 * in the run precision (cast once at load), class-conditional AdaLN blocks with a KV cache across
 * scales, and the AdaLN head. Generation state lives in a {@link Pass}, one per batch.
 *
 * <p>Methods create temporaries: run them inside an {@link ai.djl.ndarray.NDScope} (or close the
 * arrays' manager) so that nothing outlives the pass.
 */
public final class VarTransformer implements AutoCloseable {

    private final ModelConfig config;
    private final NDManager manager;
    private final DataType runType;
    private final Primitives ops;
    private final NDArray classEmb;
    private final NDArray posStart;

    /** lvl_embed[lvl_1L] + pos_1LC, (1, L, C), computed once at load. */
    private final NDArray levelPos;

    private final NDArray wordWeight;
    private final NDArray wordBias;
    private final NDArray sharedAdaWeight;
    private final NDArray sharedAdaBias;
    private final List<AdaLnBlock> blocks;
    private final NDArray headAdaWeight;
    private final NDArray headAdaBias;
    private final NDArray headWeight;
    private final NDArray headBias;

    private VarTransformer(ModelConfig config, DeviceTensors t) throws CheckpointException {
        this.config = config;
        this.manager = t.manager();
        this.runType = t.runType();
        int c = config.embedDim();
        int firstL = config.patchNums().get(0) * config.patchNums().get(0);
        int totalL = config.totalTokens();
        this.ops = new Primitives(manager, runType, c, config.normEps());
        classEmb = t.load("class_emb.weight", config.numClasses() + 1L, c);
        posStart = t.load("pos_start", 1, firstL, c);
        try (NDArray pos = t.load("pos_1LC", 1, totalL, c);
                NDArray lvlEmbed = t.load("lvl_embed.weight", config.numScales(), c);
                NDArray levels = manager.create(levelOfToken(config));
                NDArray lvl = lvlEmbed.get(levels)) {
            levelPos = lvl.expandDims(0).add(pos);
        }
        wordWeight = t.load("word_embed.weight", c, config.zChannels());
        wordBias = t.load("word_embed.bias", c);
        if (config.sharedAln()) {
            sharedAdaWeight = t.load("shared_ada_lin.1.weight", 6L * c, c);
            sharedAdaBias = t.load("shared_ada_lin.1.bias", 6L * c);
        } else {
            sharedAdaWeight = null;
            sharedAdaBias = null;
        }
        blocks = new ArrayList<>(config.depth());
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(new AdaLnBlock(config, i, t));
        }
        headAdaWeight = t.load("head_nm.ada_lin.1.weight", 2L * c, c);
        headAdaBias = t.load("head_nm.ada_lin.1.bias", 2L * c);
        headWeight = t.load("head.weight", config.vocabSize(), c);
        headBias = t.load("head.bias", config.vocabSize());
    }

    /**
     * Copies the VAR weights of {@code stateDict} onto a new sub-manager of {@code parent}, cast to
     * {@code runType}. The state dict may be closed afterwards.
     *
     * @throws CheckpointException naming the first missing or mis-shaped tensor
     */
    public static VarTransformer load(
            ModelConfig config, StateDict stateDict, NDManager parent, DataType runType)
            throws CheckpointException {
        NDManager weights = parent.newSubManager();
        weights.setName("var-weights");
        try {
            return new VarTransformer(config, new DeviceTensors(stateDict, weights, runType));
        } catch (CheckpointException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    static long[] levelOfToken(ModelConfig config) {
        long[] level = new long[config.totalTokens()];
        int pos = 0;
        for (int si = 0; si < config.numScales(); si++) {
            int pn = config.patchNums().get(si);
            for (int j = 0; j < pn * pn; j++) {
                level[pos++] = si;
            }
        }
        return level;
    }

    public ModelConfig config() {
        return config;
    }

    public DataType runType() {
        return runType;
    }

    /** The manager holding exactly the weights (for leak checks and memory accounting). */
    public NDManager weightsManager() {
        return manager;
    }

    /**
     * Starts a generation for {@code labels} (B,) int64 on the device. The conditioning (class
     * embeddings of the labels and of the null class, every block's AdaLN modulation, the head's)
     * is computed here, once; the KV cache is allocated on {@code passManager}.
     */
    public Pass start(NDArray labels, NDManager passManager) {
        return new Pass(labels, passManager);
    }

    /** One batch's generation state: conditioning, KV cache, position in the sequence. */
    public final class Pass implements AutoCloseable {

        private final long batch;
        private final NDArray cond;
        private final List<BlockModulation> modulation;
        private final NDArray headScale1p;
        private final NDArray headShift;
        private final KvCache cache;

        private Pass(NDArray labels, NDManager passManager) {
            this.batch = labels.getShape().get(0);
            NDArray nullLabels =
                    labels.zerosLike().add(passManager.create((long) config.nullClass()));
            NDArray both = NDArrays.concat(new NDList(labels, nullLabels), 0);
            // (2B, C), moved to the pass at once so that everything derived from it lands there too
            cond = keep(classEmb.get(both).toType(runType, false), passManager);
            NDArray siluCond = Primitives.silu(cond);
            NDArray shared = null;
            if (sharedAdaWeight != null) {
                shared =
                        Primitives.linear(siluCond, sharedAdaWeight, sharedAdaBias)
                                .reshape(-1, 1, 6, config.embedDim());
            }
            modulation = new ArrayList<>(blocks.size());
            for (AdaLnBlock block : blocks) {
                modulation.add(keep(block.modulation(siluCond, shared, ops), passManager));
            }
            NDArray two =
                    Primitives.linear(siluCond, headAdaWeight, headAdaBias)
                            .reshape(-1, 1, 2, config.embedDim());
            // The head splits scale first, then shift.
            headScale1p = keep(two.get(new NDIndex(":, :, 0")).add(ops.one()), passManager);
            headShift = keep(two.get(new NDIndex(":, :, 1")), passManager);
            cache =
                    new KvCache(
                            passManager,
                            blocks.size(),
                            2 * batch,
                            config.numHeads(),
                            config.totalTokens(),
                            config.headDim(),
                            runType);
        }

        /** x0 = sos + pos_start + lvl_pos[:, 0:first_l], (2B, first_l, C). */
        public NDArray firstInput() {
            int firstL = config.patchNums().get(0) * config.patchNums().get(0);
            return cond.expandDims(1)
                    .add(posStart)
                    .add(levelPos.get(new NDIndex(":, 0:{}", firstL)));
        }

        /**
         * Runs scale {@code si}: {@code x} (2B, pn^2, C) through all blocks (filling the cache) and
         * the head. Returns float32 logits (2B, pn^2, V): rows [0, B) conditional, [B, 2B)
         * unconditional.
         */
        public NDArray logits(NDArray x, int si) {
            int start = config.tokenOffset(si);
            int pn = config.patchNums().get(si);
            int end = start + pn * pn;
            NDArray h = x;
            for (int i = 0; i < blocks.size(); i++) {
                AdaLnBlock block = blocks.get(i);
                BlockModulation mod = modulation.get(i);
                NDArray in = h;
                // One scope per block: its attention scores and FFN activations are freed before
                // the
                // next block runs, so a scale holds one block's intermediates, not all of them.
                h = BlockScope.run(() -> block.forward(in, mod, cache, start, end, ops));
                if (in != x) {
                    in.close();
                }
            }
            NDArray last = h;
            NDArray logits =
                    BlockScope.run(
                            () -> {
                                NDArray normed =
                                        ops.layerNorm(last).mul(headScale1p).add(headShift);
                                return Primitives.linear(normed, headWeight, headBias)
                                        .toType(DataType.FLOAT32, false);
                            });
            if (last != x) {
                last.close();
            }
            return logits;
        }

        /**
         * The input of scale {@code si}+1 from the area-downsampled f_hat tokens {@code next} (B,
         * p^2, Cvae): word_embed, plus the level/position embedding, doubled for the CFG branch.
         */
        public NDArray nextInput(NDArray next, int si) {
            int start = config.tokenOffset(si + 1);
            int pn = config.patchNums().get(si + 1);
            NDArray embedded =
                    Primitives.linear(next.toType(runType, false), wordWeight, wordBias)
                            .add(levelPos.get(new NDIndex(":, {}:{}", start, start + pn * pn)));
            return NDArrays.concat(new NDList(embedded, embedded), 0);
        }

        public long batch() {
            return batch;
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    private static NDArray keep(NDArray array, NDManager owner) {
        ai.djl.ndarray.NDScope.unregister(array);
        array.attach(owner);
        return array;
    }

    private static BlockModulation keep(BlockModulation m, NDManager owner) {
        return new BlockModulation(
                keep(m.gamma1(), owner),
                keep(m.gamma2(), owner),
                keep(m.scale1p(), owner),
                keep(m.scale2p(), owner),
                keep(m.shift1(), owner),
                keep(m.shift2(), owner));
    }

    @Override
    public void close() {
        manager.close();
    }
}
