package io.varflow.model.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * Hyperparameters of one VQVAE + VAR pair, with the field names of the official builder (and of the
 * fixture's {@code golden.json} {@code config}). Immutable; validated on construction so that a
 * config that cannot describe a real model fails before any weight is read.
 *
 * <p>Load one with {@link ModelConfigs#resolve(String)}: a preset name ({@code d16} …) or a JSON
 * file.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(
        @JsonProperty("name") String name,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("z_channels") int zChannels,
        @JsonProperty("ch") int ch,
        @JsonProperty("ch_mult") List<Integer> chMult,
        @JsonProperty("share_quant_resi") int shareQuantResi,
        @JsonProperty("quant_resi") double quantResi,
        @JsonProperty("patch_nums") List<Integer> patchNums,
        @JsonProperty("depth") int depth,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("num_heads") int numHeads,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("shared_aln") boolean sharedAln,
        @JsonProperty("attn_l2_norm") boolean attnL2Norm,
        @JsonProperty("norm_eps") double normEps,
        @JsonProperty("image_size") int imageSize) {

    /** FFN hidden width is {@code MLP_RATIO * embedDim} in every official model. */
    public static final int MLP_RATIO = 4;

    /** ResBlocks per encoder level (the decoder has one more), as in the official VQVAE. */
    public static final int VAE_RES_BLOCKS = 2;

    public ModelConfig {
        name = name == null || name.isBlank() ? "custom" : name;
        require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        require(zChannels > 0, "z_channels must be positive, got " + zChannels);
        require(ch > 0, "ch must be positive, got " + ch);
        require(chMult != null && !chMult.isEmpty(), "ch_mult must be a non-empty list");
        chMult = List.copyOf(chMult);
        require(
                chMult.stream().allMatch(m -> m != null && m > 0),
                "ch_mult entries must be positive");
        require(ch % 32 == 0, "ch must be a multiple of 32 (GroupNorm uses 32 groups), got " + ch);
        require(shareQuantResi > 0, "share_quant_resi must be positive, got " + shareQuantResi);
        require(patchNums != null && !patchNums.isEmpty(), "patch_nums must be a non-empty list");
        patchNums = List.copyOf(patchNums);
        for (int i = 0; i < patchNums.size(); i++) {
            require(
                    patchNums.get(i) != null && patchNums.get(i) > 0,
                    "patch_nums entries must be positive");
            require(
                    i == 0 || patchNums.get(i) > patchNums.get(i - 1),
                    "patch_nums must increase strictly: " + patchNums);
        }
        require(depth > 0, "depth must be positive, got " + depth);
        require(
                embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0,
                "embed_dim ("
                        + embedDim
                        + ") must be a positive multiple of num_heads ("
                        + numHeads
                        + ")");
        require(numClasses > 0, "num_classes must be positive, got " + numClasses);
        require(normEps > 0, "norm_eps must be positive, got " + normEps);
        int expectedImage = lastPatch(patchNums) * downsampleFactor(chMult);
        if (imageSize == 0) {
            imageSize = expectedImage;
        }
        require(
                imageSize == expectedImage,
                "image_size "
                        + imageSize
                        + " does not match the last patch size "
                        + lastPatch(patchNums)
                        + " times the VQVAE down-sampling factor "
                        + downsampleFactor(chMult));
    }

    private static int lastPatch(List<Integer> patchNums) {
        return patchNums.get(patchNums.size() - 1);
    }

    private static int downsampleFactor(List<Integer> chMult) {
        return 1 << (chMult.size() - 1);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** Number of scales (steps of next-scale prediction). */
    public int numScales() {
        return patchNums.size();
    }

    /** Side of the last (largest) token map; f_hat always has this side. */
    public int finalPatch() {
        return lastPatch(patchNums);
    }

    /** Total tokens over all scales (680 for the official 256 px models). */
    public int totalTokens() {
        return patchNums.stream().mapToInt(p -> p * p).sum();
    }

    /** Index of the first token of scale {@code si} in the concatenated sequence. */
    public int tokenOffset(int si) {
        int offset = 0;
        for (int i = 0; i < si; i++) {
            offset += patchNums.get(i) * patchNums.get(i);
        }
        return offset;
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    /** Label of the "null" class used for the unconditional CFG branch and for in-/out-painting. */
    public int nullClass() {
        return numClasses;
    }

    /** Pixel down-sampling factor of the VQVAE (16 for the official ch_mult). */
    public int downsample() {
        return downsampleFactor(chMult);
    }

    public int[] patchNumsArray() {
        return patchNums.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The same model under another name. */
    public ModelConfig withName(String newName) {
        return new ModelConfig(
                newName,
                vocabSize,
                zChannels,
                ch,
                chMult,
                shareQuantResi,
                quantResi,
                patchNums,
                depth,
                embedDim,
                numHeads,
                numClasses,
                sharedAln,
                attnL2Norm,
                normEps,
                imageSize);
    }

    @Override
    public String toString() {
        return "ModelConfig["
                + name
                + ": depth "
                + depth
                + ", C "
                + embedDim
                + ", heads "
                + numHeads
                + ", patch_nums "
                + Arrays.toString(patchNumsArray())
                + ", V "
                + vocabSize
                + ", Cvae "
                + zChannels
                + ", ch "
                + ch
                + ", classes "
                + numClasses
                + ", "
                + imageSize
                + "px]";
    }
}
