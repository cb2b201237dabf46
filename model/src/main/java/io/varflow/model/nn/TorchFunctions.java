package io.varflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch kernels that DJL 0.35.1 has no operation for: tanh-GELU (fused into fc1 on the CPU),
 * GroupNorm, in-place SiLU, fused attention ({@code scaled_dot_product_attention}), the up-sampling
 * convolution and memory formats. Each composed replacement cost several passes over the largest
 * activations (tanh-GELU took eight); these are libtorch's own kernels, on every device.
 *
 * <p>The functions are TorchScript source beside this class ({@code functions.torchscript}; the
 * CPU-only fused kernels in {@code cpu_functions.torchscript}, optional: a libtorch without them
 * runs the unfused path) that libtorch compiles once per JVM ({@link TorchScriptModule}). Graph
 * optimisation is off on every calling thread: a profiling executor would re-specialise the
 * functions after their first calls, and results must not depend on how often a function ran.
 */
public final class TorchFunctions {

    private static final Logger LOG = LoggerFactory.getLogger(TorchFunctions.class);

    private TorchFunctions() {}

    /**
     * {@code gelu(x·Wᵀ + b, approximate='tanh')}: on the CPU in float32 one oneDNN matrix product
     * with the activation applied as each output tile is written (no second pass over the widest
     * activation of the block: 16 % less time for 4 096 rows of d16's fc1); elsewhere the two
     * kernels in turn.
     */
    public static NDArray linearGeluTanh(NDArray x, NDArray weight, NDArray bias) {
        if (!x.getDevice().isGpu()
                && x.getDataType() == DataType.FLOAT32
                && CpuHolder.MODULE != null) {
            return call(CpuHolder.MODULE, "linear_gelu_tanh", x, weight, bias);
        }
        return call("linear_gelu_tanh", x, weight, bias);
    }

    /**
     * {@code softmax(q·kᵀ)·v} over the last two axes of (…, L, D) arrays, with no further scaling
     * (the caller has scaled {@code q}), as one kernel that never materialises the weights.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v) {
        return call("attention", q, k, v);
    }

    /** {@code group_norm(x, groups, weight, bias, eps)} over (B, C, …). */
    public static NDArray groupNorm(
            NDArray x, NDArray weight, NDArray bias, int groups, double eps) {
        return call("group_norm", x, weight, bias, (long) groups, eps);
    }

    /** {@code silu(group_norm(x, …))}, the SiLU applied in place to the fresh normalised map. */
    public static NDArray groupNormSilu(
            NDArray x, NDArray weight, NDArray bias, int groups, double eps) {
        return call("group_norm_silu", x, weight, bias, (long) groups, eps);
    }

    /**
     * Nearest ×2 up-sampling followed by a 3×3 same-size convolution, from the four parity kernels
     * {@code weight} (4·C, Cin, 2, 2) and {@code bias} (4·C): one 2×2 convolution of the small map,
     * each parity's output written into its pixels of the result, which is stored channels-last
     * when {@code channelsLast} and in the standard layout otherwise.
     */
    public static NDArray upsampleConv(
            NDArray x, NDArray weight, NDArray bias, boolean channelsLast) {
        return call("upsample_conv", x, weight, bias, channelsLast);
    }

    /**
     * A channels-last copy of (B, C, H, W): the same shape, stored as (B, H, W, C). oneDNN
     * convolutions take and give that layout without reordering each call, and the element-wise and
     * normalisation kernels keep it.
     */
    public static NDArray channelsLast(NDArray x) {
        return call("channels_last", x);
    }

    /** A standard (row-major) copy, or {@code x}'s own storage when it already is one. */
    public static NDArray contiguous(NDArray x) {
        return call("contiguous", x);
    }

    private static NDArray call(String function, Object... arguments) {
        return call(Holder.MODULE, function, arguments);
    }

    // Tensors first: the result joins the first input's manager (and the current NDScope, as the
    // result of any DJL operation does).
    private static NDArray call(PtSymbolBlock module, String function, Object... arguments) {
        PtNDManager manager = (PtNDManager) ((NDArray) arguments[0]).getManager();
        IValue[] values = new IValue[arguments.length];
        try {
            for (int i = 0; i < arguments.length; i++) {
                values[i] = toIValue(arguments[i]);
            }
            JniUtils.setGraphExecutorOptimize(false);
            try (IValue result = IValueUtils.runMethod(module, function, values)) {
                return result.toTensor(manager);
            }
        } finally {
            for (IValue value : values) {
                if (value != null) {
                    value.close();
                }
            }
        }
    }

    private static IValue toIValue(Object argument) {
        if (argument instanceof NDArray array) {
            return IValue.from((PtNDArray) array);
        } else if (argument instanceof Long number) {
            return IValue.from(number.longValue());
        } else if (argument instanceof Double number) {
            return IValue.from(number.doubleValue());
        } else if (argument instanceof Boolean flag) {
            return IValue.from(flag.booleanValue());
        }
        throw new IllegalArgumentException("unsupported TorchScript argument " + argument);
    }

    // Loaded on first use (class initialisation is thread-safe and happens once).
    private static final class Holder {
        static final PtSymbolBlock MODULE =
                TorchScriptModule.load("functions.torchscript", "TorchFunctions");
    }

    // CPU-only fused kernels; null when this libtorch lacks them (then the general path runs).
    private static final class CpuHolder {
        static final PtSymbolBlock MODULE = loadCpuFunctions();

        private static PtSymbolBlock loadCpuFunctions() {
            try {
                return TorchScriptModule.load("cpu_functions.torchscript", "CpuFunctions");
            } catch (IllegalStateException e) {
                LOG.warn(
                        "fused CPU kernels unavailable, using the unfused ones: {}",
                        e.getMessage());
                return null;
            }
        }
    }
}
