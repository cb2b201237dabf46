package io.varflow.model.io;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Images as CHW float arrays in [0, 1] (RGB planes, row-major) to and from 8-bit RGB PNG bytes via
 * {@link ImageIO}. Encoding rounds exactly like numpy's {@code (x * 255).round().clip(0, 255)}: the
 * product in float32, ties to even.
 */
public final class PngImages {

    /** A decoded image: 3 planes of {@code height * width} values in [0, 1]. */
    public record Image(float[] chw, int height, int width) {}

    private PngImages() {}

    /** 8-bit value of one channel sample, as numpy rounds it. */
    public static int toByte(float x) {
        float scaled = x * 255f;
        if (Float.isNaN(scaled)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(255, Math.rint(scaled)));
    }

    /** PNG bytes of an RGB image given as CHW floats in [0, 1] (values outside are clipped). */
    public static byte[] encode(float[] chw, int height, int width) {
        return encodeRgb(toRgb(chw, height, width), height, width);
    }

    /**
     * Quantizes CHW floats in [0, 1] to interleaved 8-bit RGB ({@code height * width * 3} bytes,
     * row major), rounding as {@link #toByte}: a quarter of the floats' size, and what {@link
     * #encodeRgb} takes.
     */
    public static byte[] toRgb(float[] chw, int height, int width) {
        int plane = height * width;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException(
                    "expected 3x"
                            + height
                            + "x"
                            + width
                            + " = "
                            + 3 * plane
                            + " values, got "
                            + chw.length);
        }
        byte[] rgb = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            rgb[3 * i] = (byte) toByte(chw[i]);
            rgb[3 * i + 1] = (byte) toByte(chw[plane + i]);
            rgb[3 * i + 2] = (byte) toByte(chw[2 * plane + i]);
        }
        return rgb;
    }

    /** PNG bytes of interleaved 8-bit RGB ({@link #toRgb}'s layout). */
    public static byte[] encodeRgb(byte[] rgb, int height, int width) {
        int plane = height * width;
        if (rgb.length != 3 * plane) {
            throw new IllegalArgumentException(
                    "expected "
                            + height
                            + "x"
                            + width
                            + "x3 = "
                            + 3 * plane
                            + " bytes, got "
                            + rgb.length);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] packed = new int[plane];
        for (int i = 0; i < plane; i++) {
            packed[i] =
                    (rgb[3 * i] & 0xFF) << 16
                            | (rgb[3 * i + 1] & 0xFF) << 8
                            | (rgb[3 * i + 2] & 0xFF);
        }
        image.setRGB(0, 0, width, height, packed, 0, width);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new IllegalStateException("in-memory PNG encoding failed", e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a PNG (or any format ImageIO reads) to CHW floats in [0, 1]. Gray images are
     * replicated to 3 channels, 16-bit samples are scaled by 1/65535 and alpha is dropped.
     *
     * @throws IOException when the bytes are not a readable image
     */
    public static Image decode(byte[] bytes) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        if (image == null) {
            throw new IOException("not a readable image (PNG, JPEG, BMP, GIF)");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        float[] chw = new float[3 * plane];
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        if (image.getColorModel() instanceof IndexColorModel
                || bands > 4
                || !(image.getColorModel().getColorSpace().isCS_sRGB() || bands <= 2)) {
            // Palette or unusual colour spaces: let ImageIO convert to sRGB.
            int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
            for (int i = 0; i < plane; i++) {
                chw[i] = ((rgb[i] >> 16) & 0xFF) / 255f;
                chw[plane + i] = ((rgb[i] >> 8) & 0xFF) / 255f;
                chw[2 * plane + i] = (rgb[i] & 0xFF) / 255f;
            }
            return new Image(chw, height, width);
        }
        // Raw samples: gray stays gray (getRGB would apply a linear-gray to sRGB curve).
        float max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        int colorBands = bands <= 2 ? 1 : 3;
        for (int c = 0; c < 3; c++) {
            int band = colorBands == 1 ? 0 : c;
            float[] samples = raster.getSamples(0, 0, width, height, band, (float[]) null);
            for (int i = 0; i < plane; i++) {
                chw[c * plane + i] = samples[i] / max;
            }
        }
        return new Image(chw, height, width);
    }

    public static Image decode(Path file) throws IOException {
        try {
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
