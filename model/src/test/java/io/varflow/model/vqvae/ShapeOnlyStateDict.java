package io.varflow.model.vqvae;

import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.TensorDType;
import io.varflow.model.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A float32 state dict of zeros with given keys and shapes, recording which keys were read. */
final class ShapeOnlyStateDict implements StateDict {

    private final Map<String, long[]> shapes;
    private final ByteBuffer zeros;
    private final Set<String> requested = new LinkedHashSet<>();

    ShapeOnlyStateDict(Map<String, long[]> shapes) {
        this.shapes = new LinkedHashMap<>(shapes);
        long largest = shapes.values().stream().mapToLong(TensorData::numel).max().orElse(0);
        this.zeros = ByteBuffer.allocateDirect(Math.toIntExact(largest * 4));
    }

    Set<String> requested() {
        return requested;
    }

    @Override
    public Path source() {
        return Path.of("shapes-only.pth");
    }

    @Override
    public List<String> keys() {
        return new ArrayList<>(shapes.keySet());
    }

    @Override
    public boolean contains(String key) {
        return shapes.containsKey(key);
    }

    @Override
    public TensorData get(String key) throws CheckpointException {
        long[] shape = shapes.get(key);
        if (shape == null) {
            throw new CheckpointException(source(), "no tensor " + key);
        }
        requested.add(key);
        ByteBuffer slice = zeros.duplicate();
        slice.limit(Math.toIntExact(TensorData.numel(shape) * 4));
        return new TensorData(key, TensorDType.FLOAT32, shape, slice.slice());
    }

    @Override
    public void close() {}
}
