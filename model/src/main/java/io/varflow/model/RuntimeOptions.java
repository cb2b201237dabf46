package io.varflow.model;

import java.util.Locale;

/** Where and in which precision a model runs. CPU defaults to fp32, which is what CI exercises. */
public record RuntimeOptions(Device device, Precision precision) {

    public enum Device {
        CPU,
        GPU;

        public static Device parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    public enum Precision {
        FP32,
        FP16,
        BF16;

        public static Precision parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    public static final RuntimeOptions CPU_FP32 = new RuntimeOptions(Device.CPU, Precision.FP32);

    public RuntimeOptions {
        if (device == Device.CPU && precision != Precision.FP32) {
            throw new IllegalArgumentException(
                    "--dtype "
                            + precision.name().toLowerCase(Locale.ROOT)
                            + " needs --device gpu; the CPU runs fp32");
        }
    }
}
