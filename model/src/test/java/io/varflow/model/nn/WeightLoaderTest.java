package io.varflow.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorDType;
import io.varflow.model.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class WeightLoaderTest {

    private static final java.nio.file.Path TINY_VAR = BundledFiles.path("varflow/tiny/var.pth");

    @Test
    void loadsFp32WeightsWithTheirValuesAndShape() throws Exception {
        try (StateDict sd = Checkpoints.open(TINY_VAR);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TensorData head = sd.get("head.weight");
            NDArray array =
                    WeightLoader.load(sd, "head.weight", manager, DataType.FLOAT32, 64, 128);
            assertThat(array.getShape().getShape()).containsExactly(64, 128);
            assertThat(array.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] expected = new float[64 * 128];
            head.data().asFloatBuffer().get(expected);
            assertThat(array.toFloatArray()).containsExactly(expected);
        }
    }

    @Test
    void bfloat16RoundedWeightsSurviveBf16SourceAndFp16Target() throws Exception {
        // The fixture's weights are bf16-rounded, so re-encoding them as a bf16 checkpoint is
        // lossless
        // and must read back exactly; fp16 holds 8 significant bits exactly too, unless values are
        // tiny.
        try (StateDict sd = Checkpoints.open(TINY_VAR);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TensorData weight = sd.get("blocks.0.ffn.fc1.weight");
            float[] expected = new float[(int) weight.numel()];
            weight.data().asFloatBuffer().get(expected);
            ByteBuffer bf16 =
                    ByteBuffer.allocate(expected.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : expected) {
                bf16.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
            }
            TensorData asBf16 =
                    new TensorData(weight.key(), TensorDType.BFLOAT16, weight.shape(), bf16.flip());
            assertThat(WeightLoader.toNDArray(asBf16, manager, DataType.FLOAT32).toFloatArray())
                    .containsExactly(expected);
            NDArray fp16 = WeightLoader.toNDArray(asBf16, manager, DataType.FLOAT16);
            assertThat(fp16.getDataType()).isEqualTo(DataType.FLOAT16);
            float[] back = fp16.toType(DataType.FLOAT32, false).toFloatArray();
            int compared = 0;
            for (int i = 0; i < expected.length; i++) {
                if (Math.abs(expected[i]) > 1e-4f && Math.abs(expected[i]) < 60000f) {
                    assertThat(back[i]).isEqualTo(expected[i]);
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(expected.length / 2);
        }
    }

    @Test
    void bfloat16TargetIsRefusedInsteadOfCrashingTheJvm() throws Exception {
        try (StateDict sd = Checkpoints.open(TINY_VAR);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThatThrownBy(
                            () ->
                                    WeightLoader.toNDArray(
                                            sd.get("head.bias"), manager, DataType.BFLOAT16))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("head.bias");
        }
    }

    @Test
    void convertsHalfAndBfloat16SourcesToFloat32() {
        ByteBuffer half = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        // 1.0, -2.0, 0.5, 65504 (largest half), 2^-24 (smallest subnormal)
        half.putShort((short) 0x3c00)
                .putShort((short) 0xc000)
                .putShort((short) 0x3800)
                .putShort((short) 0x7bff)
                .putShort((short) 0x0001)
                .flip();
        ByteBuffer bf16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        // bf16 is the top half of fp32: 1.0 = 0x3f80, -3.0 = 0xc040, 1e38-ish = 0x7e96
        bf16.putShort((short) 0x3f80).putShort((short) 0xc040).putShort((short) 0x7e96).flip();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray a =
                    WeightLoader.toNDArray(
                            new TensorData("h", TensorDType.FLOAT16, new long[] {5}, half),
                            manager,
                            DataType.FLOAT32);
            assertThat(a.toFloatArray())
                    .containsExactly(1f, -2f, 0.5f, 65504f, (float) Math.pow(2, -24));
            NDArray b =
                    WeightLoader.toNDArray(
                            new TensorData("b", TensorDType.BFLOAT16, new long[] {3}, bf16),
                            manager,
                            DataType.FLOAT32);
            assertThat(b.toFloatArray()).containsExactly(1f, -3f, Float.intBitsToFloat(0x7e960000));
        }
    }

    @Test
    void roundsFloat32ToHalfToNearestEven() {
        float ulp = (float) Math.pow(2, -10); // fp16 spacing just above 1
        ByteBuffer f32 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        f32.putFloat(1 + ulp / 2).putFloat(1 + 3 * ulp / 2).putFloat(1 + ulp * 0.49f).flip();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray h =
                    WeightLoader.toNDArray(
                            new TensorData("r", TensorDType.FLOAT32, new long[] {3}, f32),
                            manager,
                            DataType.FLOAT16);
            float[] back = h.toType(DataType.FLOAT32, false).toFloatArray();
            assertThat(back).containsExactly(1f, 1 + 2 * ulp, 1f);
        }
    }

    @Test
    void keepsInt64BuffersAndRefusesFloatConversionOfThem() throws Exception {
        try (StateDict sd = Checkpoints.open(TINY_VAR);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray lvl = WeightLoader.load(sd, "lvl_1L", manager, DataType.INT64, 1, 30);
            assertThat(lvl.toLongArray()[29]).isEqualTo(3L);
            assertThatThrownBy(
                            () ->
                                    WeightLoader.toNDArray(
                                            sd.get("lvl_1L"), manager, DataType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lvl_1L");
        }
    }

    @Test
    void wrongShapeNamesFileKeyAndBothShapes() throws Exception {
        try (StateDict sd = Checkpoints.open(TINY_VAR);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThatThrownBy(
                            () ->
                                    WeightLoader.load(
                                            sd, "head.weight", manager, DataType.FLOAT32, 128, 64))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(TINY_VAR.toString())
                    .hasMessageContaining("head.weight")
                    .hasMessageContaining("(128, 64)")
                    .hasMessageContaining("(64, 128)");
        }
    }
}
