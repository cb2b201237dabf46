package io.varflow.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.SamplingParams;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.SafetensorsWriter;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorDType;
import io.varflow.model.checkpoint.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenMapFileTest {

    private static final List<Integer> PATCH_NUMS = List.of(1, 2, 3, 4);

    @TempDir Path tmp;

    private static int[][] tokens() {
        int[][] tokens = new int[PATCH_NUMS.size()][];
        for (int si = 0; si < tokens.length; si++) {
            int pn = PATCH_NUMS.get(si);
            tokens[si] = new int[pn * pn];
            for (int i = 0; i < tokens[si].length; i++) {
                tokens[si][i] = (si * 31 + i * 7) % 64;
            }
        }
        return tokens;
    }

    @Test
    void sampledTokenMapRoundTripsThroughBytesStreamsAndFiles() throws IOException {
        TokenMap map =
                new TokenMap(
                        "tiny",
                        PATCH_NUMS,
                        tokens(),
                        9,
                        1234567890123L,
                        new SamplingParams(1.5, 900, 0.96, true),
                        Map.of("request_id", "r-1", "note", "ünïcode"));
        byte[] bytes = TokenMapFile.toBytes(map);
        assertThat(TokenMapFile.read(bytes, "mem")).isEqualTo(map);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TokenMapFile.write(map, out);
        assertThat(out.toByteArray()).isEqualTo(bytes);
        Path file = tmp.resolve("img.safetensors");
        TokenMapFile.write(map, file);
        assertThat(TokenMapFile.read(file)).isEqualTo(map);
    }

    @Test
    void encodedTokenMapHasNoSamplingSettings() throws IOException {
        TokenMap map = new TokenMap("tiny", PATCH_NUMS, tokens(), -1, 0, null, Map.of());
        TokenMap back = TokenMapFile.read(TokenMapFile.toBytes(map), "mem");
        assertThat(back.sampling()).isNull();
        assertThat(back).isEqualTo(map);
    }

    @Test
    void layoutFollowsTheSafetensorsSpecExactly() throws IOException {
        TokenMap map =
                new TokenMap(
                        "d16",
                        PATCH_NUMS,
                        tokens(),
                        3,
                        7,
                        SamplingParams.greedy(4.0),
                        Map.of("k", "v"));
        byte[] bytes = TokenMapFile.toBytes(map);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong(0);
        assertThat(headerLength % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{");
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
        JsonNode json = new ObjectMapper().readTree(header);
        JsonNode meta = json.get("__metadata__");
        meta.fields()
                .forEachRemaining(
                        e -> assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue());
        assertThat(meta.get("format").asText()).isEqualTo("varflow.tokens.v1");
        assertThat(meta.get("patch_nums").asText()).isEqualTo("[1,2,3,4]");
        assertThat(meta.get("label").asText()).isEqualTo("3");
        assertThat(meta.get("top_k").asText()).isEqualTo("1");
        long expectedOffset = 0;
        for (int si = 0; si < 4; si++) {
            JsonNode t = json.get(String.format("scale_%02d", si));
            int pn = PATCH_NUMS.get(si);
            assertThat(t.get("dtype").asText()).isEqualTo("I32");
            assertThat(t.get("shape").toString()).isEqualTo("[" + pn + "," + pn + "]");
            assertThat(t.get("data_offsets").get(0).asLong()).isEqualTo(expectedOffset);
            expectedOffset += 4L * pn * pn;
            assertThat(t.get("data_offsets").get(1).asLong()).isEqualTo(expectedOffset);
        }
        // No holes and nothing after the last tensor.
        assertThat(bytes.length).isEqualTo(8 + headerLength + expectedOffset);
        // And the generic reader sees the same int32 tokens.
        try (StateDict sd = Checkpoints.openSafetensors(bytes, "mem")) {
            int[] scale3 = new int[16];
            sd.get("scale_03").data().asIntBuffer().get(scale3);
            assertThat(scale3).containsExactly(tokens()[3]);
        }
    }

    @Test
    void rejectsOtherSafetensorsAndClashingAttributes() {
        byte[] other =
                SafetensorsWriter.toBytes(
                        List.of(
                                new TensorData(
                                        "scale_00",
                                        TensorDType.INT32,
                                        new long[] {1, 1},
                                        ByteBuffer.allocate(4))),
                        Map.of("format", "pt"));
        assertThatThrownBy(() -> TokenMapFile.read(other, "weights.safetensors"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("weights.safetensors")
                .hasMessageContaining("varflow.tokens.v1");
        assertThatThrownBy(
                        () ->
                                TokenMapFile.read(
                                        "not a file".getBytes(StandardCharsets.US_ASCII), "junk"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("junk");
        assertThatThrownBy(
                        () ->
                                TokenMapFile.toBytes(
                                        new TokenMap(
                                                "tiny",
                                                PATCH_NUMS,
                                                tokens(),
                                                0,
                                                0,
                                                null,
                                                Map.of("seed", "1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed");
        assertThatThrownBy(
                        () ->
                                new TokenMap(
                                        "tiny",
                                        PATCH_NUMS,
                                        new int[][] {{1}, {1, 2}},
                                        0,
                                        0,
                                        null,
                                        Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
