package io.varflow.model.edit;

import io.varflow.model.config.ModelConfig;
import io.varflow.model.vqvae.Resampling;
import java.util.Objects;

/**
 * How one image is edited: the mode, the source, the region (in-/out-painting and class editing) or
 * the number of kept scales (variation).
 *
 * <p>While sampling, the tokens that the per-scale keep mask ({@link #keepMasks}) marks are
 * replaced by the source's own tokens at every scale, so that the source's residuals are
 * teacher-forced into {@code f_hat} and the KV cache, and only the rest is regenerated (VAR_SPEC
 * §9).
 *
 * @param keepScales for {@link EditMode#VARIATION}: scales 0..k-1 are kept; 0 for other modes
 */
public record EditSpec(EditMode mode, EditSource source, EditRegion region, int keepScales) {

    public EditSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(source, "an edit needs a source");
        if (mode.needsRegion()) {
            Objects.requireNonNull(region, () -> mode + " needs a region (box or mask)");
            if (keepScales != 0) {
                throw new IllegalArgumentException(
                        "keep-scales applies to variation only, not " + mode);
            }
        } else {
            if (region != null) {
                throw new IllegalArgumentException(
                        "variation takes no region, it keeps whole scales");
            }
            if (keepScales < 0) {
                throw new IllegalArgumentException("keep-scales must be >= 0, got " + keepScales);
            }
        }
    }

    public static EditSpec inpaint(EditSource source, EditRegion regenerated) {
        return new EditSpec(EditMode.INPAINT, source, regenerated, 0);
    }

    public static EditSpec outpaint(EditSource source, EditRegion kept) {
        return new EditSpec(EditMode.OUTPAINT, source, kept, 0);
    }

    public static EditSpec classEdit(EditSource source, EditRegion regenerated) {
        return new EditSpec(EditMode.CLASS_EDIT, source, regenerated, 0);
    }

    public static EditSpec variation(EditSource source, int keepScales) {
        return new EditSpec(EditMode.VARIATION, source, null, keepScales);
    }

    /**
     * Checks the edit against a model: source token maps of the model's scales and vocabulary (or
     * an image of its resolution), a region that covers at least one token of the last scale, and
     * {@code keepScales <= numScales}.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public void validate(ModelConfig config) {
        int[] patchNums = config.patchNumsArray();
        if (source instanceof EditSource.Tokens t) {
            int[][] maps = t.perScale();
            if (maps.length != patchNums.length) {
                throw new IllegalArgumentException(
                        "source has "
                                + maps.length
                                + " token maps, model "
                                + config.name()
                                + " has "
                                + patchNums.length
                                + " scales");
            }
            for (int si = 0; si < maps.length; si++) {
                if (maps[si].length != patchNums[si] * patchNums[si]) {
                    throw new IllegalArgumentException(
                            "source scale "
                                    + si
                                    + " has "
                                    + maps[si].length
                                    + " tokens, model "
                                    + config.name()
                                    + " expects "
                                    + patchNums[si]
                                    + "x"
                                    + patchNums[si]);
                }
                for (int id : maps[si]) {
                    if (id < 0 || id >= config.vocabSize()) {
                        throw new IllegalArgumentException(
                                "source scale "
                                        + si
                                        + " holds token "
                                        + id
                                        + ", outside the vocabulary 0.."
                                        + (config.vocabSize() - 1));
                    }
                }
            }
        } else if (source instanceof EditSource.Image img) {
            if (img.size() != config.imageSize()) {
                throw new IllegalArgumentException(
                        "source image is "
                                + img.size()
                                + "x"
                                + img.size()
                                + ", model "
                                + config.name()
                                + " needs "
                                + config.imageSize()
                                + "x"
                                + config.imageSize());
            }
        }
        if (mode.needsRegion()) {
            int p = config.finalPatch();
            boolean any = false;
            for (boolean cell : region.grid(p)) {
                any |= cell;
            }
            if (!any) {
                throw new IllegalArgumentException(
                        "the edit region "
                                + region
                                + " covers no token of the "
                                + p
                                + "x"
                                + p
                                + " last scale (empty mask)");
            }
        } else if (keepScales > patchNums.length) {
            throw new IllegalArgumentException(
                    "keep-scales "
                            + keepScales
                            + " exceeds the model's "
                            + patchNums.length
                            + " scales");
        }
    }

    /**
     * Per scale, which of the pn² tokens are taken from the source ({@code true}) rather than
     * sampled.
     *
     * <p>Region modes follow the notebook: the keep map on the last-scale grid (the region's
     * complement for in-painting and class editing, the region for out-painting) is resampled
     * bilinearly to pn x pn and thresholded at 0.5; scales with pn² &le; 3 keep everything. One
     * deliberate difference: when the keep map is empty (the region regenerates everything), no
     * scale is kept, so the edit is plain generation with the same label and seed.
     */
    public boolean[][] keepMasks(ModelConfig config) {
        int[] patchNums = config.patchNumsArray();
        boolean[][] keep = new boolean[patchNums.length][];
        if (mode == EditMode.VARIATION) {
            for (int si = 0; si < patchNums.length; si++) {
                keep[si] = new boolean[patchNums[si] * patchNums[si]];
                java.util.Arrays.fill(keep[si], si < keepScales);
            }
            return keep;
        }
        int p = config.finalPatch();
        boolean[] marked = region.grid(p);
        double[][] keepGrid = new double[p][p];
        boolean anyKept = false;
        for (int i = 0; i < p * p; i++) {
            boolean kept = mode.regionIsKept() == marked[i];
            keepGrid[i / p][i % p] = kept ? 1 : 0;
            anyKept |= kept;
        }
        for (int si = 0; si < patchNums.length; si++) {
            int pn = patchNums[si];
            keep[si] = new boolean[pn * pn];
            if (!anyKept) {
                continue;
            }
            if (pn * pn <= 3) {
                java.util.Arrays.fill(keep[si], true);
                continue;
            }
            double[][] m = Resampling.bilinear(p, pn);
            double[][] resized = Resampling.apply(m, keepGrid, m);
            for (int r = 0; r < pn; r++) {
                for (int c = 0; c < pn; c++) {
                    keep[si][r * pn + c] = resized[r][c] > 0.5;
                }
            }
        }
        return keep;
    }
}
