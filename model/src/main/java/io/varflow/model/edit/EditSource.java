package io.varflow.model.edit;

import java.util.Objects;

/**
 * What an edit starts from: the token maps of every scale (e.g. a varflow token-map file) or an
 * image that the model tokenises with its VQVAE.
 */
public sealed interface EditSource {

    /** Token maps, one {@code int[pn*pn]} per scale in row-major order. */
    record Tokens(int[][] perScale) implements EditSource {
        public Tokens {
            Objects.requireNonNull(perScale, "perScale");
            int[][] copy = new int[perScale.length][];
            for (int si = 0; si < copy.length; si++) {
                copy[si] = Objects.requireNonNull(perScale[si], "scale " + si).clone();
            }
            perScale = copy;
        }

        @Override
        public int[][] perScale() {
            int[][] copy = new int[perScale.length][];
            for (int si = 0; si < copy.length; si++) {
                copy[si] = perScale[si].clone();
            }
            return copy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tokens t && java.util.Arrays.deepEquals(perScale, t.perScale);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.deepHashCode(perScale);
        }

        @Override
        public String toString() {
            return "Tokens[" + perScale.length + " scales]";
        }
    }

    /** An RGB image at the model's resolution: CHW floats in [0, 1] (3 planes of size x size). */
    record Image(float[] chw, int size) implements EditSource {
        public Image {
            Objects.requireNonNull(chw, "chw");
            if (size <= 0 || chw.length != 3 * size * size) {
                throw new IllegalArgumentException(
                        "an edit source image must hold 3x"
                                + size
                                + "x"
                                + size
                                + " values, got "
                                + chw.length);
            }
            chw = chw.clone();
        }

        @Override
        public float[] chw() {
            return chw.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Image i && size == i.size && java.util.Arrays.equals(chw, i.chw);
        }

        @Override
        public int hashCode() {
            return 31 * size + java.util.Arrays.hashCode(chw);
        }

        @Override
        public String toString() {
            return "Image[" + size + "x" + size + "]";
        }
    }

    static EditSource tokens(int[][] perScale) {
        return new Tokens(perScale);
    }

    static EditSource image(float[] chw, int size) {
        return new Image(chw, size);
    }
}
