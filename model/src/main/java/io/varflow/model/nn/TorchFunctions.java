package io.varflow.model.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch kernels that DJL 0.35.1 has no operation for: tanh-GELU, GroupNorm, in-place SiLU, fused
 * attention ({@code scaled_dot_product_attention}), nearest up-sampling and memory formats. Each
 * composed replacement cost several passes over the largest activations (tanh-GELU took eight);
 * these are libtorch's own single kernels, on every device.
 *
 * <p>The functions are TorchScript source ({@code functions.torchscript} beside this class) that
 * libtorch compiles itself when the archive is loaded: no Python is involved. The archive is
 * assembled here from that source and a four-entry module description, once per JVM; the module
 * holds no tensors, so one instance serves every model and device. Graph optimisation is off on
 * every calling thread: a profiling executor would re-specialise the functions after their first
 * calls, and results must not depend on how often a function ran.
 */
public final class TorchFunctions {

    private static final String MODULE = "TorchFunctions";

    private TorchFunctions() {}

    /**
     * {@code gelu(x·Wᵀ + b, approximate='tanh')}: on the CPU in float32 one oneDNN matrix product
     * with the activation applied as each output tile is written (no second pass over the widest
     * activation of the block: 16 % less time for 4 096 rows of d16's fc1); elsewhere the two
     * kernels in turn.
     */
    public static NDArray linearGeluTanh(NDArray x, NDArray weight, NDArray bias) {
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
        return call("group_norm", new Object[] {x, weight, bias, (long) groups, eps});
    }

    /** {@code silu(group_norm(x, …))}, the SiLU applied in place to the fresh normalised map. */
    public static NDArray groupNormSilu(
            NDArray x, NDArray weight, NDArray bias, int groups, double eps) {
        return call("group_norm_silu", new Object[] {x, weight, bias, (long) groups, eps});
    }

    /**
     * Nearest ×2 up-sampling followed by a 3×3 same-size convolution, from the four parity kernels
     * {@code weight} (4·C, Cin, 2, 2) and {@code bias} (4·C): one 2×2 convolution of the small map,
     * each parity's output written into its pixels of the result, which is stored channels-last
     * when {@code channelsLast} and in the standard layout otherwise.
     */
    public static NDArray upsampleConv(
            NDArray x, NDArray weight, NDArray bias, boolean channelsLast) {
        return call("upsample_conv", new Object[] {x, weight, bias, channelsLast});
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

    private static NDArray call(String function, NDArray... inputs) {
        return call(function, (Object[]) inputs);
    }

    // Tensors first: the result joins the first input's manager (and the current NDScope, as the
    // result of any DJL operation does).
    private static NDArray call(String function, Object[] arguments) {
        PtNDManager manager = (PtNDManager) ((NDArray) arguments[0]).getManager();
        IValue[] values = new IValue[arguments.length];
        try {
            for (int i = 0; i < arguments.length; i++) {
                values[i] = toIValue(arguments[i]);
            }
            JniUtils.setGraphExecutorOptimize(false);
            try (IValue result = IValueUtils.runMethod(Holder.MODULE, function, values)) {
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
        static final PtSymbolBlock MODULE = load();

        private static PtSymbolBlock load() {
            // A manager of its own that lives as long as the JVM: the module outlives every model.
            PtNDManager manager = (PtNDManager) NDManager.newBaseManager("PyTorch");
            try (InputStream archive = new ByteArrayInputStream(archive())) {
                return JniUtils.loadModule(manager, archive, false, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load varflow's TorchScript functions", e);
            } catch (EngineException e) {
                // Only when this libtorch lacks an operator or syntax the source uses.
                throw new IllegalStateException(
                        "libtorch could not compile varflow's TorchScript functions"
                                + " (io/varflow/model/nn/functions.torchscript): "
                                + e.getMessage().strip(),
                        e);
            }
        }
    }

    /**
     * A TorchScript archive: the source, the pickled module object (class {@code
     * __torch__.TorchFunctions} with only its {@code training} flag), an empty constants table and
     * the format version. Version 10 makes libtorch read the source with today's operator
     * signatures (older versions route calls such as {@code gelu} through upgraders to their old
     * schemas).
     */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "data.pkl", pickledModule());
            stored(zip, "code/__torch__.py", source());
            stored(zip, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
            stored(zip, "version", "10\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static byte[] source() throws IOException {
        try (InputStream in = TorchFunctions.class.getResourceAsStream("functions.torchscript")) {
            if (in == null) {
                throw new IOException("functions.torchscript is missing from the classpath");
            }
            return in.readAllBytes();
        }
    }

    // Pickle protocol 2: __torch__.TorchFunctions() with state {"training": True}.
    private static byte[] pickledModule() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80); // PROTO 2
        out.write(2);
        out.writeBytes(("c__torch__\n" + MODULE + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(')'); // EMPTY_TUPLE
        out.write(0x81); // NEWOBJ
        out.write('}'); // EMPTY_DICT
        out.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        out.write('X'); // BINUNICODE, 4-byte little-endian length
        out.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        out.writeBytes(key);
        out.write(0x88); // NEWTRUE
        out.write('u'); // SETITEMS
        out.write('b'); // BUILD
        out.write('.'); // STOP
        return out.toByteArray();
    }

    // libtorch reads archive members in place: store them uncompressed, under one top folder.
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry("functions/" + name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}
