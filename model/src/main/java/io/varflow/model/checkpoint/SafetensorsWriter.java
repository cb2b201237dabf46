package io.varflow.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * Writes tensors in the safetensors format, readable by Python's {@code safetensors} package: an
 * 8-byte little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes
 * ({@code name -> {"dtype", "shape", "data_offsets"}} plus an optional {@code "__metadata__"}
 * string map), then the tensors' bytes back to back in the order given, with no holes.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    public static void write(
            Collection<TensorData> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        byte[] header = header(tensors, metadata);
        ByteBuffer length =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(length.array());
        out.write(header);
        WritableByteChannel channel = Channels.newChannel(out);
        for (TensorData tensor : tensors) {
            ByteBuffer data = tensor.data();
            while (data.hasRemaining()) {
                channel.write(data);
            }
        }
        out.flush();
    }

    public static byte[] toBytes(Collection<TensorData> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(tensors, metadata, out);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return out.toByteArray();
    }

    public static void write(
            Collection<TensorData> tensors, Map<String, String> metadata, Path file)
            throws IOException {
        try (OutputStream out =
                new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            write(tensors, metadata, out);
        }
    }

    private static byte[] header(Collection<TensorData> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (TensorData tensor : tensors) {
            if (tensor.key().equals("__metadata__") || root.has(tensor.key())) {
                throw new IllegalArgumentException(
                        "duplicate or reserved tensor name '" + tensor.key() + "'");
            }
            ObjectNode node = root.putObject(tensor.key());
            node.put("dtype", tensor.dtype().safetensorsName());
            ArrayNode shape = node.putArray("shape");
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            long size = tensor.numel() * tensor.dtype().bytes();
            node.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            header[i] = ' ';
        }
        return header;
    }
}
