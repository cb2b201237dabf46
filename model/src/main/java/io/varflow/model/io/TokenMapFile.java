package io.varflow.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.SamplingParams;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.SafetensorsWriter;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorDType;
import io.varflow.model.checkpoint.TensorData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * varflow's file format for one image's tokens ({@code varflow.tokens.v1}): a safetensors file with
 * one int32 tensor per scale, {@code scale_00}, {@code scale_01}, … of shape {@code (pn, pn)}, and
 * string metadata {@code format}, {@code model}, {@code patch_nums} (a JSON list), {@code label},
 * {@code seed}, {@code cfg}, {@code top_k}, {@code top_p}, {@code smooth} plus any extra
 * attributes. Encoded (not sampled) token maps carry empty sampling fields. Python reads it with
 * {@code safetensors.numpy.load_file} alone; see docs/model.md.
 */
public final class TokenMapFile {

    public static final String FORMAT = "varflow.tokens.v1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESERVED =
            Set.of(
                    "format",
                    "model",
                    "patch_nums",
                    "label",
                    "seed",
                    "cfg",
                    "top_k",
                    "top_p",
                    "smooth");

    private TokenMapFile() {}

    /** Name of the tensor holding scale {@code si}. */
    public static String tensorName(int si) {
        return String.format(Locale.ROOT, "scale_%02d", si);
    }

    public static void write(TokenMap map, OutputStream out) throws IOException {
        SafetensorsWriter.write(tensors(map), metadata(map), out);
    }

    public static byte[] toBytes(TokenMap map) {
        return SafetensorsWriter.toBytes(tensors(map), metadata(map));
    }

    public static void write(TokenMap map, Path file) throws IOException {
        Files.write(file, toBytes(map));
    }

    public static TokenMap read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /**
     * Parses a token-map file; {@code label} names it in errors.
     *
     * @throws IOException when the bytes are not a {@value #FORMAT} safetensors file
     */
    public static TokenMap read(byte[] bytes, String label) throws IOException {
        try (StateDict sd = Checkpoints.openSafetensors(bytes, label)) {
            Map<String, String> meta = Checkpoints.metadata(sd);
            if (!FORMAT.equals(meta.get("format"))) {
                throw new IOException(
                        label
                                + ": not a "
                                + FORMAT
                                + " token map (format "
                                + meta.get("format")
                                + ")");
            }
            List<Integer> patchNums;
            try {
                patchNums =
                        JSON.readValue(
                                require(meta, "patch_nums", label),
                                new TypeReference<List<Integer>>() {});
            } catch (JsonProcessingException e) {
                throw new IOException(label + ": patch_nums is not a JSON list of integers", e);
            }
            int[][] tokens = new int[patchNums.size()][];
            for (int si = 0; si < tokens.length; si++) {
                int pn = patchNums.get(si);
                TensorData t = sd.get(tensorName(si));
                if (t.dtype() != TensorDType.INT32
                        || t.shape().length != 2
                        || t.shape()[0] != pn
                        || t.shape()[1] != pn) {
                    throw new IOException(
                            label
                                    + ": "
                                    + tensorName(si)
                                    + " must be int32 ("
                                    + pn
                                    + ", "
                                    + pn
                                    + "), got "
                                    + t);
                }
                tokens[si] = new int[pn * pn];
                t.data().asIntBuffer().get(tokens[si]);
            }
            if (sd.keys().size() != tokens.length) {
                throw new IOException(
                        label
                                + ": "
                                + sd.keys().size()
                                + " tensors for "
                                + tokens.length
                                + " scales");
            }
            SamplingParams sampling =
                    meta.getOrDefault("cfg", "").isEmpty()
                            ? null
                            : new SamplingParams(
                                    Double.parseDouble(meta.get("cfg")),
                                    Integer.parseInt(require(meta, "top_k", label)),
                                    Double.parseDouble(require(meta, "top_p", label)),
                                    Boolean.parseBoolean(require(meta, "smooth", label)));
            Map<String, String> extra = new LinkedHashMap<>(meta);
            extra.keySet().removeAll(RESERVED);
            return new TokenMap(
                    require(meta, "model", label),
                    patchNums,
                    tokens,
                    Integer.parseInt(require(meta, "label", label)),
                    Long.parseLong(require(meta, "seed", label)),
                    sampling,
                    extra);
        } catch (CheckpointException e) {
            throw new IOException(e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IOException(
                    label + ": malformed number in token-map metadata: " + e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> meta, String key, String label)
            throws IOException {
        String value = meta.get(key);
        if (value == null) {
            throw new IOException(label + ": token-map metadata lacks '" + key + "'");
        }
        return value;
    }

    private static List<TensorData> tensors(TokenMap map) {
        List<TensorData> tensors = new ArrayList<>();
        int[][] tokens = map.tokensPerScale();
        for (int si = 0; si < tokens.length; si++) {
            int pn = map.patchNums().get(si);
            ByteBuffer data =
                    ByteBuffer.allocate(tokens[si].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            data.asIntBuffer().put(tokens[si]);
            tensors.add(
                    new TensorData(tensorName(si), TensorDType.INT32, new long[] {pn, pn}, data));
        }
        return tensors;
    }

    private static Map<String, String> metadata(TokenMap map) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("model", map.model());
        try {
            meta.put("patch_nums", JSON.writeValueAsString(map.patchNums()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        meta.put("label", Integer.toString(map.label()));
        meta.put("seed", Long.toString(map.seed()));
        SamplingParams s = map.sampling();
        meta.put("cfg", s == null ? "" : Double.toString(s.cfg()));
        meta.put("top_k", s == null ? "" : Integer.toString(s.topK()));
        meta.put("top_p", s == null ? "" : Double.toString(s.topP()));
        meta.put("smooth", s == null ? "" : Boolean.toString(s.smooth()));
        for (Map.Entry<String, String> e : map.extra().entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException(
                        "extra attribute '" + e.getKey() + "' clashes with a " + FORMAT + " field");
            }
            meta.put(e.getKey(), e.getValue());
        }
        return meta;
    }
}
