package io.varflow.operators.eval;

import io.varflow.model.SamplingParams;
import java.util.AbstractList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Everything that fixes an evaluation set's content: which classes, how many images each, the seed
 * base and the sampling settings, and where the images go. Items are in class-major order (all of
 * the first class, then the next), which is also the order of {@code arr_0} in the packed {@code .npz}.
 *
 * <p>Object names are {@code <prefix>/<class>/<index>.png} with the class zero-padded to 4 digits and
 * the index to 3 (wider when the numbers need it), e.g. {@code evals/fid50k/0207/049.png}. Names and
 * seeds depend only on the plan, so a restarted job overwrites the same objects with the same bytes
 * and can never leave more than {@code perClass} images of a class.
 *
 * @param evalId name of the set
 * @param model model name (null for the job's default)
 * @param classes selected classes, sorted, no duplicates
 * @param perClass images per class
 * @param seedBase base of the per-image seeds ({@link EvalSeeds})
 * @param sampling how every image is sampled
 * @param prefix object-key prefix, without a trailing slash
 */
public record EvalPlan(
        String evalId, String model, List<Integer> classes, int perClass, long seedBase, SamplingParams sampling,
        String prefix) {

    /** Most images per class one plan may ask for. */
    public static final int MAX_PER_CLASS = 100_000;

    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Pattern SAFE_PREFIX = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    public EvalPlan {
        if (evalId == null || !SAFE_ID.matcher(evalId).matches()) {
            throw new IllegalArgumentException("evalId must be 1-128 letters, digits, '.', '_' or '-' "
                    + "(not starting with '.'), got '" + evalId + "'");
        }
        if (classes == null || classes.isEmpty()) {
            throw new IllegalArgumentException("an evaluation set needs at least one class");
        }
        classes = List.copyOf(classes);
        for (int i = 1; i < classes.size(); i++) {
            if (classes.get(i) <= classes.get(i - 1)) {
                throw new IllegalArgumentException("classes must be sorted and distinct");
            }
        }
        if (perClass < 1 || perClass > MAX_PER_CLASS) {
            throw new IllegalArgumentException("images per class must be 1-" + MAX_PER_CLASS + ", got " + perClass);
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling settings are required");
        }
        if (prefix == null || !SAFE_PREFIX.matcher(prefix).matches() || prefix.contains("..")) {
            throw new IllegalArgumentException("output prefix must be segments of letters, digits, '.', '_', '-' "
                    + "joined by '/', got '" + prefix + "'");
        }
    }

    /** Resolves a request's defaults against a model with {@code numClasses} classes. */
    public static EvalPlan of(EvalRequest request, int numClasses) {
        if (request.perClass() == null) {
            throw new IllegalArgumentException("perClass (images per class) is required");
        }
        SamplingParams fid = SamplingParams.FID;
        SamplingParams sampling = new SamplingParams(
                request.cfg() == null ? fid.cfg() : request.cfg(),
                request.topK() == null ? fid.topK() : request.topK(),
                request.topP() == null ? fid.topP() : request.topP(),
                request.smooth() != null && request.smooth());
        String prefix = request.outputPrefix() == null ? "evals/" + request.evalId() : request.outputPrefix();
        return new EvalPlan(request.evalId(), request.model(), ClassSelection.parse(request.classes(), numClasses),
                request.perClass(), request.seedBase() == null ? 0 : request.seedBase(), sampling, prefix);
    }

    /** The request that describes this plan (defaults written out), e.g. for submitting it to a cluster. */
    public EvalRequest toRequest() {
        return new EvalRequest(evalId, model, ClassSelection.format(classes), perClass, seedBase, sampling.cfg(),
                sampling.topK(), sampling.topP(), sampling.smooth(), prefix);
    }

    /** Number of images in the set. */
    public int total() {
        return Math.multiplyExact(classes.size(), perClass);
    }

    /** The seed of image {@code index} of class {@code classLabel}. */
    public long seed(int classLabel, int index) {
        return EvalSeeds.seed(seedBase, classLabel, index);
    }

    /** The object key of image {@code index} of class {@code classLabel}. */
    public String key(int classLabel, int index) {
        return prefix + "/" + classDirectory(classLabel) + "/" + pad(index, indexWidth()) + ".png";
    }

    /** The key prefix ({@code <prefix>/<class>/}) under which one class's images are stored. */
    public String classPrefix(int classLabel) {
        return prefix + "/" + classDirectory(classLabel) + "/";
    }

    /** The image at {@code ordinal} in class-major order. */
    public EvalItem item(int ordinal) {
        if (ordinal < 0 || ordinal >= total()) {
            throw new IndexOutOfBoundsException("item " + ordinal + " of " + total());
        }
        int label = classes.get(ordinal / perClass);
        int index = ordinal % perClass;
        return new EvalItem(ordinal, label, index, seed(label, index), key(label, index));
    }

    /** All items in class-major order (computed on access; nothing is held). */
    public List<EvalItem> items() {
        return new AbstractList<>() {
            @Override
            public EvalItem get(int i) {
                return item(i);
            }

            @Override
            public int size() {
                return total();
            }
        };
    }

    /** The naming rule in words, written into manifests. */
    public String namingRule() {
        return prefix + "/{class:0" + classWidth() + "d}/{index:0" + indexWidth() + "d}.png";
    }

    private String classDirectory(int classLabel) {
        return pad(classLabel, classWidth());
    }

    private int classWidth() {
        return Math.max(4, Integer.toString(classes.get(classes.size() - 1)).length());
    }

    private int indexWidth() {
        return Math.max(3, Integer.toString(perClass - 1).length());
    }

    private static String pad(int value, int width) {
        return String.format(Locale.ROOT, "%0" + width + "d", value);
    }

    /**
     * One image of the set.
     *
     * @param ordinal position in class-major order (row of {@code arr_0})
     * @param label class label
     * @param index index within its class, 0-based
     * @param seed its seed
     * @param key its object key
     */
    public record EvalItem(int ordinal, int label, int index, long seed, String key) {}
}
