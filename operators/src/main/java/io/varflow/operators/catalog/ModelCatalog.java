package io.varflow.operators.catalog;

import java.io.Serializable;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models a job serves, by name, and the default for requests that name none. Immutable and
 * serializable: shipped with the validator, batcher and sampling operator.
 */
public final class ModelCatalog implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, ModelSpec> models;
    private final String defaultModel;

    private ModelCatalog(LinkedHashMap<String, ModelSpec> models, String defaultModel) {
        this.models = models;
        this.defaultModel = defaultModel;
    }

    /** A catalog of these models; the first is the default. */
    public static ModelCatalog of(List<ModelSpec> specs) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("a job must serve at least one model");
        }
        return of(specs, specs.get(0).name());
    }

    public static ModelCatalog of(List<ModelSpec> specs, String defaultModel) {
        LinkedHashMap<String, ModelSpec> byName = new LinkedHashMap<>();
        for (ModelSpec spec : specs) {
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("model '" + spec.name() + "' is listed twice");
            }
        }
        if (!byName.containsKey(defaultModel)) {
            throw new IllegalArgumentException(
                    "default model '" + defaultModel + "' is not among " + byName.keySet());
        }
        return new ModelCatalog(byName, defaultModel);
    }

    public Optional<ModelSpec> find(String name) {
        return Optional.ofNullable(models.get(name));
    }

    public ModelSpec get(String name) {
        ModelSpec spec = models.get(name);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "unknown model '" + name + "'; the job serves " + models.keySet());
        }
        return spec;
    }

    public String defaultModel() {
        return defaultModel;
    }

    public Collection<ModelSpec> models() {
        return models.values();
    }

    public Map<String, ModelSpec> asMap() {
        return Map.copyOf(models);
    }

    @Override
    public String toString() {
        return "ModelCatalog" + models.keySet() + " (default " + defaultModel + ")";
    }
}
