package io.varflow.model.vqvae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The VQVAE encoder: {@code conv_in}, one level per {@code ch_mult} entry with {@link
 * ModelConfig#VAE_RES_BLOCKS} ResBlocks (each followed by attention on the last level) and a
 * stride-2 down-sampling after every level but the last, the middle block (ResBlock, attention,
 * ResBlock), then GroupNorm, SiLU and {@code conv_out} to {@code z_channels}.
 */
final class Encoder {

    private final Conv2dLayer convIn;
    private final List<List<ResBlock>> blocks = new ArrayList<>();
    private final List<List<AttnBlock>> attns = new ArrayList<>();
    private final List<Conv2dLayer> downsamples = new ArrayList<>();
    private final ResBlock midBlock1;
    private final AttnBlock midAttn;
    private final ResBlock midBlock2;
    private final GroupNormLayer normOut;
    private final Conv2dLayer convOut;

    Encoder(VaeWeights w, ModelConfig config, DataType dtype) throws CheckpointException {
        String p = "encoder.";
        int ch = config.ch();
        List<Integer> mult = config.chMult();
        int levels = mult.size();
        convIn = Conv2dLayer.same3x3(w, p + "conv_in", dtype, 3, ch);
        int blockIn = ch;
        for (int level = 0; level < levels; level++) {
            int blockOut = ch * mult.get(level);
            List<ResBlock> levelBlocks = new ArrayList<>();
            List<AttnBlock> levelAttns = new ArrayList<>();
            for (int b = 0; b < ModelConfig.VAE_RES_BLOCKS; b++) {
                String prefix = p + "down." + level;
                levelBlocks.add(ResBlock.load(w, prefix + ".block." + b, dtype, blockIn, blockOut));
                blockIn = blockOut;
                if (level == levels - 1) {
                    levelAttns.add(AttnBlock.load(w, prefix + ".attn." + b, dtype, blockIn));
                }
            }
            blocks.add(levelBlocks);
            attns.add(levelAttns);
            if (level == levels - 1) {
                downsamples.add(null);
            } else {
                downsamples.add(
                        Conv2dLayer.load(
                                w,
                                p + "down." + level + ".downsample.conv",
                                dtype,
                                blockIn,
                                blockIn,
                                3,
                                2,
                                0));
            }
        }
        midBlock1 = ResBlock.load(w, p + "mid.block_1", dtype, blockIn, blockIn);
        midAttn = AttnBlock.load(w, p + "mid.attn_1", dtype, blockIn);
        midBlock2 = ResBlock.load(w, p + "mid.block_2", dtype, blockIn, blockIn);
        normOut = GroupNormLayer.load(w, p + "norm_out", dtype, blockIn);
        convOut = Conv2dLayer.same3x3(w, p + "conv_out", dtype, blockIn, config.zChannels());
    }

    /** (B, 3, H, W) in [-1, 1] to (B, z_channels, H/16, W/16) for the official ch_mult. */
    NDArray forward(NDArray x) {
        // Every map is closed once the next exists (x, the caller's, is kept).
        NDArray h = convIn.forward(x);
        for (int level = 0; level < blocks.size(); level++) {
            List<AttnBlock> levelAttns = attns.get(level);
            for (int b = 0; b < blocks.get(level).size(); b++) {
                h = Scopes.advance(h, blocks.get(level).get(b).forward(h), x);
                if (!levelAttns.isEmpty()) {
                    h = Scopes.advance(h, levelAttns.get(b).forward(h), x);
                }
            }
            Conv2dLayer down = downsamples.get(level);
            if (down != null) {
                NDArray current = h;
                h =
                        Scopes.advance(
                                h,
                                Scopes.layer(() -> down.forward(VaeOps.padRightBottom(current))),
                                x);
            }
        }
        h = Scopes.advance(h, midBlock1.forward(h), x);
        h = Scopes.advance(h, midAttn.forward(h), x);
        h = Scopes.advance(h, midBlock2.forward(h), x);
        NDArray a = normOut.forwardSilu(h);
        Scopes.advance(h, a, x);
        return Scopes.advance(a, convOut.forward(a), x);
    }
}
