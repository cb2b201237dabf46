package io.varflow.pipeline.eval;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Decodes a stored PNG into the H x W x 3 uint8 rows numpy and the FID tools expect. */
final class RgbPixels {

    private RgbPixels() {}

    /**
     * Decodes {@code png} and returns its pixels as R, G, B bytes in row-major order.
     *
     * @throws IOException if the bytes are not an image, or not {@code width} x {@code height}
     */
    static byte[] decode(byte[] png, int width, int height, String name) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        if (image == null) {
            throw new IOException(name + " is not a readable image");
        }
        if (image.getWidth() != width || image.getHeight() != height) {
            throw new IOException(
                    name
                            + " is "
                            + image.getWidth()
                            + "x"
                            + image.getHeight()
                            + ", expected "
                            + width
                            + "x"
                            + height);
        }
        byte[] rgb = new byte[width * height * 3];
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1
                && buffer.getData().length == rgb.length) {
            // The usual case for 8-bit RGB PNGs: swap the channel order in place of a per-pixel
            // call.
            byte[] bgr = buffer.getData();
            for (int i = 0; i < rgb.length; i += 3) {
                rgb[i] = bgr[i + 2];
                rgb[i + 1] = bgr[i + 1];
                rgb[i + 2] = bgr[i];
            }
            return rgb;
        }
        int[] row = new int[width];
        for (int y = 0, o = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++, o += 3) {
                rgb[o] = (byte) (row[x] >>> 16);
                rgb[o + 1] = (byte) (row[x] >>> 8);
                rgb[o + 2] = (byte) row[x];
            }
        }
        return rgb;
    }
}
