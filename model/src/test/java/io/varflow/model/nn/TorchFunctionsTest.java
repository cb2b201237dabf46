package io.varflow.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each TorchScript function against the same computation composed from DJL operations. */
class TorchFunctionsTest {

    private static float maxDifference(NDArray a, NDArray b) {
        assertThat(a.getShape()).isEqualTo(b.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void linearGeluTanhIsTheTanhApproximationOfTheAffineMap() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(0, 1, new Shape(3, 7, 16), DataType.FLOAT32);
            NDArray w = m.randomNormal(0, 0.5f, new Shape(40, 16), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 0.5f, new Shape(40), DataType.FLOAT32);
            NDArray y = x.matMul(w.transpose()).add(b);
            NDArray inner = y.add(y.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
            NDArray expected = y.mul(0.5f).mul(inner.tanh().add(1f));
            assertThat(maxDifference(TorchFunctions.linearGeluTanh(x, w, b), expected))
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void attentionIsSoftmaxOfUnscaledScoresTimesValues() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray q = m.randomNormal(new Shape(2, 3, 5, 8));
            NDArray k = m.randomNormal(new Shape(2, 3, 11, 8));
            NDArray v = m.randomNormal(new Shape(2, 3, 11, 8));
            NDArray expected = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1).matMul(v);
            assertThat(maxDifference(TorchFunctions.attention(q, k, v), expected))
                    .isLessThan(1e-5f);
            // keys and values may be views of a longer cache, as the KV cache hands them out
            NDArray cache = m.randomNormal(new Shape(2, 3, 20, 8));
            cache.set(new NDIndex(":, :, 0:11"), k);
            NDArray prefix = cache.get(":, :, 0:11");
            assertThat(maxDifference(TorchFunctions.attention(q, prefix, v), expected))
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void channelsLastCopiesKeepEveryValueInPlace() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(2, 4, 3, 5));
            NDArray channelsLast = TorchFunctions.channelsLast(x);
            assertThat(maxDifference(channelsLast, x)).isZero();
            NDArray back = TorchFunctions.contiguous(channelsLast);
            assertThat(back.toFloatArray()).containsExactly(x.toFloatArray());
            NDArray sum = channelsLast.add(channelsLast);
            assertThat(TorchFunctions.contiguous(sum).toFloatArray())
                    .containsExactly(x.add(x).toFloatArray());
        }
    }

    @Test
    void theArchivesAreAssembledFromTheBundledSources() throws Exception {
        String core =
                new String(
                        TorchScriptModule.archive("functions.torchscript", "TorchFunctions"),
                        StandardCharsets.ISO_8859_1);
        assertThat(core)
                .contains(
                        "functions/code/__torch__.py", "def linear_gelu_tanh", "functions/version");
        String cpu =
                new String(
                        TorchScriptModule.archive("cpu_functions.torchscript", "CpuFunctions"),
                        StandardCharsets.ISO_8859_1);
        assertThat(cpu).contains("class CpuFunctions", "_linear_pointwise");
    }

    @Test
    void sourceThatLibtorchCannotCompileIsOneClearErrorNamingIt() {
        assertThatThrownBy(() -> TorchScriptModule.load("broken.torchscript", "Broken"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("broken.torchscript")
                .hasMessageContaining("no_such_operator");
    }
}
