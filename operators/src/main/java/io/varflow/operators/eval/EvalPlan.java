package io.varflow.operators.eval;

import io.varflow.model.SamplingParams;
import io.varflow.operators.store.ObjectKeys;
import io.varflow.operators.validate.SafeNames;
import java.util.AbstractList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Everything that fixes an evaluation set's content: which classes, how many images each, the seed
 * base and the sampling settings, and where the images go. Items are in class-major order (all of
 * the first class, then the next), which is also the order of {@code arr_0} in the packed {@code
 * .npz}.
 *
 * <p>Each class is made by one generation request with id {@code <evalId>-<class>} (class
 * zero-padded to 4 digits), so object names are the job's usual {@code
 * <prefix>/<requestId>/<index>.png} with the index zero-padded to 4 digits, e.g. {@code
 * evals/fid50k/fid50k-0207/0049.png}. Names and seeds depend only on the plan, so a restarted job
 * overwrites the same objects with the same bytes and can never leave more than {@code perClass}
 * images of a class.
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
        String evalId,
        String model,
        List<Integer> classes,
        int perClass,
        long seedBase,
        SamplingParams sampling,
        String prefix) {

    /** Most images per class one plan may ask for. */
    public static final int MAX_PER_CLASS = 100_000;

    /** Longest evalId: it and "-<class>" must fit a 128-character requestId. */
    public static final int MAX_EVAL_ID_LENGTH = 100;

    private static final Pattern SAFE_ID =
            Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0," + (MAX_EVAL_ID_LENGTH - 1) + "}");

    public EvalPlan {
        if (evalId == null || !SAFE_ID.matcher(evalId).matches() || evalId.contains("..")) {
            throw new IllegalArgumentException(
                    "evalId must be 1-"
                            + MAX_EVAL_ID_LENGTH
                            + " letters, digits, '.', '_' or '-' "
                            + "(not starting with '.'), got '"
                            + evalId
                            + "'");
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
            throw new IllegalArgumentException(
                    "images per class must be 1-" + MAX_PER_CLASS + ", got " + perClass);
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling settings are required");
        }
        String unsafe = SafeNames.checkOutputPrefix(prefix);
        if (unsafe != null) {
            throw new IllegalArgumentException(unsafe + " (got '" + prefix + "')");
        }
    }

    /** Resolves a request's defaults against a model with {@code numClasses} classes. */
    public static EvalPlan of(EvalRequest request, int numClasses) {
        if (request.perClass() == null) {
            throw new IllegalArgumentException("perClass (images per class) is required");
        }
        SamplingParams sampling =
                SamplingParams.fidWith(
                        request.cfg(), request.topK(), request.topP(), request.smooth());
        String prefix =
                request.outputPrefix() == null
                        ? "evals/" + request.evalId()
                        : request.outputPrefix();
        return new EvalPlan(
                request.evalId(),
                request.model(),
                ClassSelection.parse(request.classes(), numClasses),
                request.perClass(),
                request.seedBase() == null ? 0 : request.seedBase(),
                sampling,
                prefix);
    }

    /**
     * The request that describes this plan (defaults written out), e.g. for submitting it to a
     * cluster.
     */
    public EvalRequest toRequest() {
        return new EvalRequest(
                evalId,
                model,
                ClassSelection.format(classes),
                perClass,
                seedBase,
                sampling.cfg(),
                sampling.topK(),
                sampling.topP(),
                sampling.smooth(),
                prefix);
    }

    /** Number of images in the set. */
    public int total() {
        return Math.multiplyExact(classes.size(), perClass);
    }

    /** The seed of image {@code index} of class {@code classLabel}. */
    public long seed(int classLabel, int index) {
        return EvalSeeds.seed(seedBase, classLabel, index);
    }

    /** The seed of the generation request that makes class {@code classLabel}. */
    public long classSeed(int classLabel) {
        return EvalSeeds.classSeed(seedBase, classLabel);
    }

    /**
     * The id of the generation request that makes class {@code classLabel}: {@code
     * <evalId>-<class:04d>}.
     */
    public String classRequestId(int classLabel) {
        return evalId + "-" + pad(classLabel, 4);
    }

    /** The object key of image {@code index} of class {@code classLabel}. */
    public String key(int classLabel, int index) {
        // The job's own rule (below the job's base prefix): the packer finds exactly what the job
        // stored.
        return ObjectKeys.imageKey("", prefix, classRequestId(classLabel), index);
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
        return prefix + "/" + evalId + "-{class:04d}/{index:04d}.png";
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
