package io.varflow.model.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Zero-shot editing on the tiny fixture model (patch sizes 1, 2, 3, 4; 10 classes; CPU fp32). */
class VarModelEditTest {

    /** Random sampling over the whole vocabulary, so that "resampled" is observable. */
    private static final SamplingParams RANDOM = new SamplingParams(1.5, 0, 0, false);

    private static VarModel model;
    private static ModelConfig config;
    private static int nullClass;

    @BeforeAll
    static void load() throws Exception {
        model = VarModel.tiny(RuntimeOptions.CPU_FP32);
        config = model.config();
        nullClass = config.numClasses();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GeneratedImage generate(int label, long seed, SamplingParams sampling) {
        return model.generate(List.of(new ImageTask(label, seed, sampling))).get(0);
    }

    private static GeneratedImage edit(
            int label, long seed, SamplingParams sampling, EditSpec spec) {
        return model.generate(List.of(new ImageTask(label, seed, sampling, spec))).get(0);
    }

    /**
     * Keep masks of the centre box 0.25..0.75 on the tiny model, worked out by hand from VAR_SPEC
     * §9: the box is the 2x2 centre of the 4x4 last grid; scale 0 (1 token) keeps all; at 2x2 the
     * bilinear weight of every cell is 3/4 kept; at 3x3 only the centre falls below 1/2; at 4x4 the
     * ring is kept.
     */
    private static final boolean[][] CENTRE_KEPT = {
        {true},
        {true, true, true, true},
        {true, true, true, true, false, true, true, true, true},
        {
            true, true, true, true, true, false, false, true, true, false, false, true, true, true,
            true, true
        },
    };

    @Test
    void keepMasksOfTheCentreBoxFollowTheNotebook() {
        EditSpec spec =
                EditSpec.inpaint(
                        new EditSource.Tokens(sourceTokens()),
                        EditRegion.box(0.25, 0.25, 0.75, 0.75));
        assertThat(spec.keepMasks(config)).isDeepEqualTo(CENTRE_KEPT);
    }

    @Test
    void inpaintingKeepsTheSourceOutsideTheRegionAndResamplesItInsideAtEveryScale() {
        int[][] source = generate(3, 7, RANDOM).tokensPerScale();
        EditSpec spec =
                EditSpec.inpaint(
                        new EditSource.Tokens(source), EditRegion.box(0.25, 0.25, 0.75, 0.75));
        List<Set<String>> regionVariants =
                List.of(new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());
        boolean differsFromSource = false;
        for (long seed = 100; seed < 106; seed++) {
            GeneratedImage edited = edit(nullClass, seed, RANDOM, spec);
            int[][] tokens = edited.tokensPerScale();
            for (int si = 0; si < source.length; si++) {
                StringBuilder region = new StringBuilder();
                for (int j = 0; j < source[si].length; j++) {
                    if (CENTRE_KEPT[si][j]) {
                        assertThat(tokens[si][j])
                                .as("seed %d scale %d token %d kept", seed, si, j)
                                .isEqualTo(source[si][j]);
                    } else {
                        region.append(tokens[si][j]).append(',');
                        differsFromSource |= tokens[si][j] != source[si][j];
                    }
                }
                regionVariants.get(si).add(region.toString());
            }
            assertThat(edited.pixels()).hasSize(3 * 64 * 64);
        }
        // The region is sampled: its tokens change with the seed at every scale that has one.
        assertThat(regionVariants.get(2)).hasSizeGreaterThan(1);
        assertThat(regionVariants.get(3)).hasSizeGreaterThan(1);
        assertThat(differsFromSource).isTrue();
    }

    @Test
    void outpaintingAndClassEditingKeepWhatTheirMasksSay() {
        int[][] source = generate(5, 8, RANDOM).tokensPerScale();
        EditRegion centre = EditRegion.box(0.25, 0.25, 0.75, 0.75);
        GeneratedImage out =
                edit(
                        nullClass,
                        9,
                        RANDOM,
                        EditSpec.outpaint(new EditSource.Tokens(source), centre));
        GeneratedImage cls =
                edit(2, 9, RANDOM, EditSpec.classEdit(new EditSource.Tokens(source), centre));
        boolean[][] outKept =
                EditSpec.outpaint(new EditSource.Tokens(source), centre).keepMasks(config);
        // Out-painting keeps the centre at the last scale and regenerates the ring.
        assertThat(outKept[3])
                .containsExactly(
                        false, false, false, false, false, true, true, false, false, true, true,
                        false, false, false, false, false);
        boolean ringChanged = false;
        for (int si = 0; si < source.length; si++) {
            for (int j = 0; j < source[si].length; j++) {
                if (outKept[si][j]) {
                    assertThat(out.tokensPerScale()[si][j]).isEqualTo(source[si][j]);
                } else {
                    ringChanged |= out.tokensPerScale()[si][j] != source[si][j];
                }
                if (CENTRE_KEPT[si][j]) {
                    assertThat(cls.tokensPerScale()[si][j]).isEqualTo(source[si][j]);
                }
            }
        }
        assertThat(ringChanged).isTrue();
    }

    @Test
    void anAllKeepMaskReproducesTheSourceTokensAndImageExactly() {
        GeneratedImage original = generate(4, 21, RANDOM);
        int[][] source = original.tokensPerScale();
        // Out-painting whose kept region is the whole image.
        EditSpec keepAll =
                EditSpec.outpaint(new EditSource.Tokens(source), EditRegion.box(0, 0, 1, 1));
        GeneratedImage edited = edit(nullClass, 99, RANDOM, keepAll);
        assertThat(edited.tokensPerScale()).isDeepEqualTo(source);
        float[] a = original.pixels();
        float[] b = edited.pixels();
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        // A variation that keeps every scale is a copy too.
        assertThat(
                        edit(4, 77, RANDOM, EditSpec.variation(new EditSource.Tokens(source), 4))
                                .tokensPerScale())
                .isDeepEqualTo(source);
    }

    @Test
    void anEmptyKeepMaskIsPlainGenerationWithTheSameLabelAndSeed() {
        int[][] source = generate(1, 3, RANDOM).tokensPerScale();
        GeneratedImage plain = generate(6, 42, RANDOM);
        // In-painting whose regenerated region is the whole image keeps nothing, not even scale 0.
        EditSpec regenerateAll =
                EditSpec.inpaint(new EditSource.Tokens(source), EditRegion.box(0, 0, 1, 1));
        GeneratedImage edited = edit(6, 42, RANDOM, regenerateAll);
        assertThat(edited.tokensPerScale()).isDeepEqualTo(plain.tokensPerScale());
        assertThat(edited.pixels()).containsExactly(plain.pixels());
        assertThat(
                        edit(6, 42, RANDOM, EditSpec.variation(new EditSource.Tokens(source), 0))
                                .tokensPerScale())
                .isDeepEqualTo(plain.tokensPerScale());
    }

    @Test
    void variationKeepsTheFirstScalesExactlyAndChangesTheLaterOnes() {
        int[][] source = generate(7, 11, RANDOM).tokensPerScale();
        for (int k = 1; k <= 3; k++) {
            int[][] varied =
                    edit(7, 500 + k, RANDOM, EditSpec.variation(new EditSource.Tokens(source), k))
                            .tokensPerScale();
            for (int si = 0; si < k; si++) {
                assertThat(varied[si]).as("k=%d scale %d", k, si).containsExactly(source[si]);
            }
            for (int si = Math.max(k, 2); si < source.length; si++) {
                assertThat(varied[si])
                        .as("k=%d scale %d resampled", k, si)
                        .isNotEqualTo(source[si]);
            }
        }
    }

    @Test
    void greedyClassEditOfAGreedyResultWithItsOwnLabelReproducesIt() {
        // Teacher forcing carries the source's context through f_hat and the KV cache: a greedy
        // model
        // then predicts the region exactly as it did the first time.
        SamplingParams greedy = SamplingParams.greedy(1.5);
        int[][] source = generate(3, 0, greedy).tokensPerScale();
        EditSpec spec =
                EditSpec.classEdit(
                        new EditSource.Tokens(source), EditRegion.box(0.25, 0.25, 0.75, 0.75));
        assertThat(edit(3, 0, greedy, spec).tokensPerScale()).isDeepEqualTo(source);
    }

    @Test
    void editAndGenerationTasksShareABatchWithoutChangingEachOther() {
        int[][] source = generate(2, 13, RANDOM).tokensPerScale();
        ImageTask plain = new ImageTask(8, 31, RANDOM);
        ImageTask inpaint =
                new ImageTask(
                        nullClass,
                        32,
                        RANDOM,
                        EditSpec.inpaint(
                                new EditSource.Tokens(source), EditRegion.box(0, 0, 0.5, 1)));
        ImageTask variation =
                new ImageTask(
                        2,
                        33,
                        new SamplingParams(3, 20, 0.9, true),
                        EditSpec.variation(new EditSource.Tokens(source), 2));
        List<GeneratedImage> together = model.generate(List.of(plain, inpaint, variation));
        List<ImageTask> alone = List.of(plain, inpaint, variation);
        for (int i = 0; i < alone.size(); i++) {
            GeneratedImage single = model.generate(List.of(alone.get(i))).get(0);
            assertThat(together.get(i).tokensPerScale())
                    .as("task %d", i)
                    .isDeepEqualTo(single.tokensPerScale());
            assertThat(together.get(i).task()).isEqualTo(alone.get(i));
        }
    }

    @Test
    void anImageSourceIsTokenisedByTheVqvae() {
        GeneratedImage original = generate(0, 5, RANDOM);
        float[] pixels = original.pixels();
        int[][] encoded;
        try (var manager = model.vqvae().manager().newSubManager()) {
            float[] scaled = new float[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                scaled[i] = pixels[i] * 2 - 1;
            }
            NDArray images = manager.create(scaled, new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
            encoded = model.vqvae().encode(images).get(0);
        }
        EditSpec keepAll =
                EditSpec.outpaint(new EditSource.Image(pixels, 64), EditRegion.box(0, 0, 1, 1));
        assertThat(edit(nullClass, 1, RANDOM, keepAll).tokensPerScale()).isDeepEqualTo(encoded);
    }

    @Test
    void editsThatDoNotFitTheModelAreRejected() {
        int[][] source = generate(0, 1, RANDOM).tokensPerScale();
        EditRegion centre = EditRegion.box(0.25, 0.25, 0.75, 0.75);
        assertThatThrownBy(
                        () ->
                                edit(
                                        0,
                                        1,
                                        RANDOM,
                                        EditSpec.inpaint(
                                                new EditSource.Image(new float[3 * 32 * 32], 32),
                                                centre)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 64x64");
        int[][] wrongScales = {source[0], source[1]};
        assertThatThrownBy(
                        () ->
                                edit(
                                        0,
                                        1,
                                        RANDOM,
                                        EditSpec.inpaint(
                                                new EditSource.Tokens(wrongScales), centre)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 token maps");
        assertThatThrownBy(
                        () ->
                                edit(
                                        0,
                                        1,
                                        RANDOM,
                                        EditSpec.variation(new EditSource.Tokens(source), 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds");
        // A box too small to cover a token of the 4x4 last scale is an empty mask.
        assertThatThrownBy(
                        () ->
                                edit(
                                        0,
                                        1,
                                        RANDOM,
                                        EditSpec.inpaint(
                                                new EditSource.Tokens(source),
                                                EditRegion.box(0, 0, 0.1, 0.1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty mask");
        assertThatThrownBy(
                        () ->
                                edit(
                                        nullClass + 1,
                                        1,
                                        RANDOM,
                                        EditSpec.inpaint(new EditSource.Tokens(source), centre)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
        assertThatThrownBy(() -> generate(nullClass, 1, RANDOM))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int[][] sourceTokens() {
        int[] patchNums = config.patchNumsArray();
        int[][] tokens = new int[patchNums.length][];
        for (int si = 0; si < patchNums.length; si++) {
            tokens[si] = new int[patchNums[si] * patchNums[si]];
        }
        return tokens;
    }
}
