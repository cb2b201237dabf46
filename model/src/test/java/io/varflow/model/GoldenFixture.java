package io.varflow.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The official runs recorded in {@code var-tiny/golden.json} and their {@code .npy} images. */
final class GoldenFixture {

    record Run(
            int[] labels,
            double cfg,
            int topK,
            double topP,
            boolean smooth,
            int[][][] tokens,
            String imageFile) {}

    private GoldenFixture() {}

    static List<Run> generateRuns() throws IOException {
        JsonNode root;
        try (InputStream in = resource("var-tiny/golden.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<Run> runs = new ArrayList<>();
        for (JsonNode run : root.get("generate")) {
            int[] labels = ints(run.get("labels"));
            JsonNode scales = run.get("tokens_per_scale");
            int[][][] tokens = new int[scales.size()][][];
            for (int s = 0; s < scales.size(); s++) {
                tokens[s] = new int[scales.get(s).size()][];
                for (int b = 0; b < scales.get(s).size(); b++) {
                    tokens[s][b] = ints(scales.get(s).get(b));
                }
            }
            runs.add(
                    new Run(
                            labels,
                            run.get("cfg").asDouble(),
                            run.get("top_k").asInt(),
                            run.get("top_p").asDouble(),
                            run.get("more_smooth").asBoolean(),
                            tokens,
                            run.get("image_file").asText()));
        }
        return runs;
    }

    /** A little-endian float32 C-order .npy test resource, flattened. */
    static float[] npyFloats(String name) throws IOException {
        byte[] bytes;
        try (InputStream in = resource(name)) {
            bytes = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IOException(name + ": expected little-endian float32 C order, got " + header);
        }
        buf.position(start + headerLength);
        float[] data = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(data);
        return data;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = GoldenFixture.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("missing test resource " + name);
        }
        return in;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
