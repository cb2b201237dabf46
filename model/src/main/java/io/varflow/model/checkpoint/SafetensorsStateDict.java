package io.varflow.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A state dict read from a safetensors file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the
 * tensor bytes. Each tensor is memory-mapped on first use.
 */
final class SafetensorsStateDict implements StateDict {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Upper bound of the JSON header, as in the reference implementation (100 MB). */
    static final long MAX_HEADER = 100_000_000L;

    private record Slot(TensorDType dtype, long[] shape, long begin, long end) {}

    private final ByteSource file;
    private final long dataStart;
    private final Map<String, Slot> slots;
    private final Map<String, String> metadata;

    private SafetensorsStateDict(
            ByteSource file,
            long dataStart,
            Map<String, Slot> slots,
            Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.slots = slots;
        this.metadata = metadata;
    }

    /** Whether the first bytes look like a safetensors header: a sane length followed by '{'. */
    static boolean looksLike(ByteBuffer head, long fileSize) {
        if (head.limit() < 9) {
            return false;
        }
        long headerLength = head.getLong(0);
        return headerLength >= 2 && headerLength <= MAX_HEADER && head.get(8) == '{';
    }

    static SafetensorsStateDict open(ByteSource file) throws CheckpointException {
        ByteBuffer lengthBytes = file.read(0, 8, "safetensors header length");
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > file.size()) {
            throw new CheckpointException(
                    file.path(),
                    "safetensors header of "
                            + headerLength
                            + " bytes does not fit the "
                            + file.size()
                            + "-byte file: the file is truncated or corrupt");
        }
        ByteBuffer headerBytes = file.read(8, (int) headerLength, "safetensors header");
        JsonNode header;
        try {
            header = JSON.readTree(StandardCharsets.UTF_8.decode(headerBytes).toString());
        } catch (IOException e) {
            throw new CheckpointException(
                    file.path(), "safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(file.path(), "safetensors header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = file.size() - dataStart;
        Map<String, Slot> slots = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode node = field.getValue();
            if (key.equals("__metadata__")) {
                node.fields()
                        .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            TensorDType dtype = dtypeOf(file.path(), key, node.path("dtype").asText());
            JsonNode shapeNode = node.path("shape");
            JsonNode offsets = node.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new CheckpointException(
                        file.path(),
                        "key '" + key + "': safetensors entry lacks shape or data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (end - begin != TensorData.numel(shape) * dtype.bytes() || begin < 0) {
                throw new CheckpointException(
                        file.path(),
                        "key '"
                                + key
                                + "': data_offsets ["
                                + begin
                                + ", "
                                + end
                                + "] do not match shape "
                                + Arrays.toString(shape)
                                + " of "
                                + dtype);
            }
            if (end > dataSize) {
                throw new CheckpointException(
                        file.path(),
                        "key '"
                                + key
                                + "': data (bytes "
                                + begin
                                + ".."
                                + end
                                + " of the data section) lies past the end of the file: the file is truncated");
            }
            slots.put(key, new Slot(dtype, shape, begin, end));
        }
        return new SafetensorsStateDict(
                file, dataStart, slots, Collections.unmodifiableMap(metadata));
    }

    private static TensorDType dtypeOf(Path path, String key, String name)
            throws CheckpointException {
        for (TensorDType dtype : TensorDType.values()) {
            if (dtype.safetensorsName().equals(name)) {
                return dtype;
            }
        }
        throw new CheckpointException(
                path, "key '" + key + "': unknown safetensors dtype '" + name + "'");
    }

    /** The {@code __metadata__} string map of the header (empty when absent). */
    Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Path source() {
        return file.path();
    }

    @Override
    public List<String> keys() {
        return List.copyOf(slots.keySet());
    }

    @Override
    public boolean contains(String key) {
        return slots.containsKey(key);
    }

    @Override
    public TensorData get(String key) throws CheckpointException {
        Slot slot = slots.get(key);
        if (slot == null) {
            throw new CheckpointException(file.path(), "key '" + key + "' is missing");
        }
        ByteBuffer data =
                file.map(
                        dataStart + slot.begin(),
                        slot.end() - slot.begin(),
                        "tensor '" + key + "'");
        return new TensorData(key, slot.dtype(), slot.shape(), data);
    }

    @Override
    public void close() {
        file.close();
    }
}
