package io.varflow.model.io;

import io.varflow.model.SamplingParams;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The multi-scale tokens of one image with what produced them: the model, its patch sizes, the
 * class label, seed and sampling settings, plus free-form string attributes (request id, edit
 * box…).
 *
 * @param tokensPerScale for every scale si, its {@code pn*pn} token ids in row-major order
 * @param sampling how the tokens were drawn; {@code null} for tokens encoded from an image
 */
public record TokenMap(
        String model,
        List<Integer> patchNums,
        int[][] tokensPerScale,
        int label,
        long seed,
        SamplingParams sampling,
        Map<String, String> extra) {

    public TokenMap {
        patchNums = List.copyOf(patchNums);
        if (tokensPerScale.length != patchNums.size()) {
            throw new IllegalArgumentException(
                    tokensPerScale.length
                            + " token scales for "
                            + patchNums.size()
                            + " patch sizes "
                            + patchNums);
        }
        int[][] copy = new int[tokensPerScale.length][];
        for (int si = 0; si < copy.length; si++) {
            int pn = patchNums.get(si);
            if (tokensPerScale[si].length != pn * pn) {
                throw new IllegalArgumentException(
                        "scale "
                                + si
                                + " has "
                                + tokensPerScale[si].length
                                + " tokens, expected "
                                + pn
                                + "x"
                                + pn);
            }
            copy[si] = tokensPerScale[si].clone();
        }
        tokensPerScale = copy;
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a token map needs a model name");
        }
        if (extra != null
                && extra.entrySet().stream()
                        .anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
            throw new IllegalArgumentException(
                    "extra attributes must be non-null strings: " + extra);
        }
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    @Override
    public int[][] tokensPerScale() {
        int[][] copy = new int[tokensPerScale.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = tokensPerScale[i].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenMap t
                && model.equals(t.model)
                && patchNums.equals(t.patchNums)
                && Arrays.deepEquals(tokensPerScale, t.tokensPerScale)
                && label == t.label
                && seed == t.seed
                && java.util.Objects.equals(sampling, t.sampling)
                && extra.equals(t.extra);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                model,
                patchNums,
                Arrays.deepHashCode(tokensPerScale),
                label,
                seed,
                sampling,
                extra);
    }

    @Override
    public String toString() {
        return "TokenMap["
                + model
                + ", label "
                + label
                + ", seed "
                + seed
                + ", "
                + sampling
                + ", "
                + extra
                + "]";
    }
}
