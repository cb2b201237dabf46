package io.varflow.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngImagesTest {

    @Test
    void eightBitValuesRoundTripExactly() throws IOException {
        int h = 7;
        int w = 5;
        float[] chw = new float[3 * h * w];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = ((i * 37) % 256) / 255f;
        }
        byte[] png = PngImages.encode(chw, h, w);
        assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        PngImages.Image back = PngImages.decode(png);
        assertThat(back.height()).isEqualTo(h);
        assertThat(back.width()).isEqualTo(w);
        assertThat(back.chw()).containsExactly(chw);
        // Channel planes land on the right colours: pixel (0, 1) red = chw[1], green = chw[h*w +
        // 1].
        BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(png));
        int rgb = image.getRGB(1, 0);
        assertThat((rgb >> 16) & 0xFF).isEqualTo(Math.round(chw[1] * 255));
        assertThat((rgb >> 8) & 0xFF).isEqualTo(Math.round(chw[h * w + 1] * 255));
    }

    @Test
    void quantizedRgbIsInterleavedAndEncodesToTheSamePng() {
        float[] chw = {
            0f, 1f, 0.5f, 0.25f, 1f, 0f
        }; // 1x2 image: red plane, green plane, blue plane
        byte[] rgb = PngImages.toRgb(chw, 1, 2);
        assertThat(rgb).containsExactly(0, (byte) 128, (byte) 255, (byte) 255, 64, 0);
        assertThat(PngImages.encodeRgb(rgb, 1, 2)).isEqualTo(PngImages.encode(chw, 1, 2));
        assertThatThrownBy(() -> PngImages.encodeRgb(new byte[5], 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundsLikeNumpyTiesToEvenAndClips() {
        // numpy: (np.float32(t / 255) * 255).round() gives 126, 2, 0, 254 for t = 126.5, 2.5, 0.5,
        // 254.5.
        assertThat(PngImages.toByte((float) (126.5 / 255))).isEqualTo(126);
        assertThat(PngImages.toByte((float) (2.5 / 255))).isEqualTo(2);
        assertThat(PngImages.toByte((float) (0.5 / 255))).isEqualTo(0);
        assertThat(PngImages.toByte((float) (254.5 / 255))).isEqualTo(254);
        assertThat(PngImages.toByte(-0.3f)).isEqualTo(0);
        assertThat(PngImages.toByte(1.7f)).isEqualTo(255);
        assertThat(PngImages.toByte(Float.NaN)).isEqualTo(0);
    }

    @Test
    void grayImagesKeepTheirRawValues() throws IOException {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        gray.getRaster().setSample(1, 0, 0, 201);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(gray, "png", out);
        PngImages.Image image = PngImages.decode(out.toByteArray());
        assertThat(image.chw())
                .containsExactly(
                        100 / 255f, 201 / 255f, 100 / 255f, 201 / 255f, 100 / 255f, 201 / 255f);
    }

    @Test
    void rejectsNonImagesAndWrongSizes() {
        assertThatThrownBy(() -> PngImages.decode("no image".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PngImages.encode(new float[10], 2, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
