package io.varflow.pipeline.report;

import io.varflow.model.BundledModel;
import io.varflow.model.io.PngImages;
import io.varflow.operators.eval.EvalPlan;
import io.varflow.pipeline.eval.EvalManifest;
import io.varflow.pipeline.eval.EvalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results page of an evaluation set: one section per class (its generation request) with the
 * first images of the class, read back from the store, and the set's throughput. Evaluation sets
 * store images only, so there are no scale strips; large sets show their first classes.
 */
public final class EvalPageBuilder {

    /** Images shown per class. */
    public static final int IMAGES_PER_CLASS = 8;

    /** Classes shown at most (a 1000-class set would make a page nobody scrolls). */
    public static final int MAX_CLASSES = 100;

    private final Path pageDir;
    private final EvalStore store;
    private final List<String> classNames;

    public EvalPageBuilder(Path pageDir, EvalStore store, List<String> classNames) {
        this.pageDir = pageDir;
        this.store = store;
        this.classNames = classNames;
    }

    public ResultsPage build(EvalPlan plan, EvalManifest manifest, Path npz, Path manifestFile)
            throws IOException {
        Files.createDirectories(pageDir.resolve(RunPageBuilder.ASSETS));
        String settings =
                String.format(
                        Locale.ROOT,
                        "cfg %s, top-k %d, top-p %s%s",
                        plan.sampling().cfg(),
                        plan.sampling().topK(),
                        plan.sampling().topP(),
                        plan.sampling().smooth() ? ", smooth" : "");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Set", plan.evalId());
        facts.put("Model", manifest.model().name());
        facts.put(
                "Images",
                plan.classes().size() + " classes × " + plan.perClass() + " = " + plan.total());
        facts.put("Sampling", settings);
        facts.put("Archive", npz.toAbsolutePath().toString());
        facts.put("Manifest", manifestFile.toAbsolutePath().toString());
        int shownClasses = Math.min(MAX_CLASSES, plan.classes().size());
        facts.put(
                "Shown here",
                "the first "
                        + Math.min(IMAGES_PER_CLASS, plan.perClass())
                        + " images of "
                        + (shownClasses == plan.classes().size()
                                ? "every class"
                                : "the first " + shownClasses + " classes")
                        + " (evaluation sets store images only: no scale strips)");
        List<PageRequest> requests = new ArrayList<>();
        for (int c = 0; c < shownClasses; c++) {
            requests.add(classSection(plan, plan.classes().get(c), settings));
        }
        return new ResultsPage(
                "varflow eval " + plan.evalId(), facts, throughput(manifest), requests);
    }

    private PageRequest classSection(EvalPlan plan, int label, String settings) throws IOException {
        String name = BundledModel.labelName(classNames, label);
        List<PageImage> images = new ArrayList<>();
        for (int index = 0; index < Math.min(IMAGES_PER_CLASS, plan.perClass()); index++) {
            String key = plan.key(label, index);
            String href = null;
            String note = null;
            try {
                PngImages.Image image = PngImages.decode(store.get(key));
                href =
                        String.format(
                                Locale.ROOT,
                                "%s/c%04d-%04d.png",
                                RunPageBuilder.ASSETS,
                                label,
                                index);
                Files.write(pageDir.resolve(href), PixelImages.png(PixelImages.readable(image)));
            } catch (IOException e) {
                note = "cannot read " + key + ": " + e.getMessage();
            }
            images.add(
                    new PageImage(
                            index,
                            label,
                            name,
                            plan.seed(label, index),
                            settings,
                            href,
                            null,
                            List.of(),
                            note));
        }
        return new PageRequest(
                plan.classRequestId(label),
                "succeeded",
                null,
                null,
                name + ": " + plan.perClass() + " images",
                images);
    }

    private static Map<String, String> throughput(EvalManifest manifest) {
        EvalManifest.Timings t = manifest.timings();
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put(
                "Generation",
                String.format(
                        Locale.ROOT,
                        "%.1f s for %d new images (%d were already stored)",
                        t.generationSeconds(),
                        manifest.images() - t.imagesFoundAtStart(),
                        t.imagesFoundAtStart()));
        figures.put("Throughput", String.format(Locale.ROOT, "%.2f images/s", t.imagesPerSecond()));
        if (t.packSeconds() != null) {
            figures.put("Packing", String.format(Locale.ROOT, "%.1f s", t.packSeconds()));
        }
        return figures;
    }
}
