package io.varflow.model.checkpoint;

import io.varflow.model.checkpoint.TorchPickle.StorageRef;
import io.varflow.model.checkpoint.TorchPickle.TensorRef;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A state dict read from a PyTorch {@code torch.save} zip checkpoint: {@code <root>/data.pkl}
 * describes the tensors, {@code <root>/data/<key>} hold their storages. Storages are memory-mapped
 * on first use; tensors with non-contiguous strides are copied into a contiguous buffer.
 */
final class TorchZipStateDict implements StateDict {

    private final MappedFile file;
    private final ZipDirectory zip;
    private final String prefix;
    private final Map<String, TensorRef> tensors;
    private final Map<String, ByteBuffer> storages = new HashMap<>();

    private TorchZipStateDict(
            MappedFile file, ZipDirectory zip, String prefix, Map<String, TensorRef> tensors) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.tensors = tensors;
    }

    static TorchZipStateDict open(MappedFile file) throws CheckpointException {
        ZipDirectory zip = ZipDirectory.read(file);
        ZipDirectory.Entry pickle = null;
        for (ZipDirectory.Entry entry : zip.entries().values()) {
            if (entry.name().equals("data.pkl") || entry.name().endsWith("/data.pkl")) {
                pickle = entry;
                break;
            }
        }
        if (pickle == null) {
            throw new CheckpointException(
                    file.path(), "zip file has no data.pkl entry: not a torch.save checkpoint");
        }
        String prefix = pickle.name().substring(0, pickle.name().length() - "data.pkl".length());
        Object root = TorchPickle.load(file.path(), readSmallEntry(file, zip, pickle));
        if (!(root instanceof Map<?, ?> dict)) {
            throw new CheckpointException(
                    file.path(),
                    "data.pkl holds " + TorchPickle.describe(root) + ", not a state dict");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : dict.entrySet()) {
            String key = String.valueOf(item.getKey());
            if (!(item.getValue() instanceof TensorRef tensor)) {
                throw new CheckpointException(
                        file.path(),
                        "key '"
                                + key
                                + "' holds "
                                + TorchPickle.describe(item.getValue())
                                + ", not a tensor");
            }
            if (tensor.storage().dtype() == null) {
                throw new CheckpointException(
                        file.path(),
                        "key '" + key + "': unknown storage type " + tensor.storage().typeName());
            }
            if (tensor.size().length != tensor.stride().length) {
                throw new CheckpointException(
                        file.path(),
                        "key '"
                                + key
                                + "': size "
                                + Arrays.toString(tensor.size())
                                + " and stride "
                                + Arrays.toString(tensor.stride())
                                + " differ in rank");
            }
            if (!zip.entries().containsKey(prefix + "data/" + tensor.storage().key())) {
                throw new CheckpointException(
                        file.path(),
                        "key '"
                                + key
                                + "': storage entry "
                                + prefix
                                + "data/"
                                + tensor.storage().key()
                                + " is missing from the zip");
            }
            tensors.put(key, tensor);
        }
        return new TorchZipStateDict(file, zip, prefix, tensors);
    }

    private static byte[] readSmallEntry(
            MappedFile file, ZipDirectory zip, ZipDirectory.Entry entry)
            throws CheckpointException {
        if (entry.size() > Integer.MAX_VALUE - 16 || entry.compressedSize() > Integer.MAX_VALUE) {
            throw new CheckpointException(
                    file.path(), entry.name() + " is too large (" + entry.size() + " bytes)");
        }
        ByteBuffer data =
                file.read(
                        zip.dataOffset(entry, "zip entry " + entry.name()),
                        (int) entry.compressedSize(),
                        "zip entry " + entry.name());
        byte[] raw = new byte[data.remaining()];
        data.get(raw);
        if (entry.method() == ZipDirectory.STORED) {
            return raw;
        }
        if (entry.method() != 8) {
            throw new CheckpointException(
                    file.path(),
                    "zip entry "
                            + entry.name()
                            + " uses compression method "
                            + entry.method()
                            + "; only STORED and DEFLATED are supported");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw);
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) entry.size());
            byte[] chunk = new byte[65536];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CheckpointException(
                            file.path(), "zip entry " + entry.name() + " is truncated");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new CheckpointException(
                    file.path(), "zip entry " + entry.name() + " is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    @Override
    public Path source() {
        return file.path();
    }

    @Override
    public List<String> keys() {
        return List.copyOf(tensors.keySet());
    }

    @Override
    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    @Override
    public synchronized TensorData get(String key) throws CheckpointException {
        TensorRef ref = tensors.get(key);
        if (ref == null) {
            throw new CheckpointException(file.path(), "key '" + key + "' is missing");
        }
        StorageRef storage = ref.storage();
        ByteBuffer bytes = storage(key, storage);
        TensorDType dtype = storage.dtype();
        long[] size = ref.size();
        long[] stride = ref.stride();
        long numel = TensorData.numel(size);
        if (numel == 0) {
            return new TensorData(key, dtype, size, ByteBuffer.allocate(0));
        }
        long lastElement = ref.offset();
        for (int d = 0; d < size.length; d++) {
            if (stride[d] < 0) {
                throw new CheckpointException(
                        file.path(), "key '" + key + "' has a negative stride");
            }
            lastElement += (size[d] - 1) * stride[d];
        }
        if (ref.offset() < 0 || lastElement >= storage.numel()) {
            throw new CheckpointException(
                    file.path(),
                    "key '"
                            + key
                            + "': view (offset "
                            + ref.offset()
                            + ", size "
                            + Arrays.toString(size)
                            + ", stride "
                            + Arrays.toString(stride)
                            + ") exceeds its storage of "
                            + storage.numel()
                            + " elements");
        }
        int item = dtype.bytes();
        if (isContiguous(size, stride)) {
            ByteBuffer slice =
                    bytes.slice(
                            Math.toIntExact(ref.offset() * item), Math.toIntExact(numel * item));
            return new TensorData(key, dtype, size, slice);
        }
        return new TensorData(key, dtype, size, gather(bytes, ref, item, numel));
    }

    /** Copies a strided view into a new contiguous row-major buffer. */
    private static ByteBuffer gather(ByteBuffer source, TensorRef ref, int item, long numel) {
        long[] size = ref.size();
        long[] stride = ref.stride();
        ByteBuffer out =
                ByteBuffer.allocate(Math.toIntExact(numel * item)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] element = new byte[item];
        long[] index = new long[size.length];
        for (long n = 0; n < numel; n++) {
            long offset = ref.offset();
            for (int d = 0; d < size.length; d++) {
                offset += index[d] * stride[d];
            }
            source.get(Math.toIntExact(offset * item), element);
            out.put(element);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return out.flip();
    }

    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    private ByteBuffer storage(String key, StorageRef storage) throws CheckpointException {
        ByteBuffer mapped = storages.get(storage.key());
        if (mapped != null) {
            return mapped;
        }
        String name = prefix + "data/" + storage.key();
        ZipDirectory.Entry entry = zip.entries().get(name);
        if (entry.method() != ZipDirectory.STORED) {
            throw new CheckpointException(
                    file.path(),
                    "key '"
                            + key
                            + "': storage "
                            + name
                            + " is compressed (method "
                            + entry.method()
                            + "); only uncompressed (STORED) storages can be "
                            + "memory-mapped, as torch.save writes them");
        }
        long needed = storage.numel() * storage.dtype().bytes();
        if (entry.size() < needed) {
            throw new CheckpointException(
                    file.path(),
                    "key '"
                            + key
                            + "': storage "
                            + name
                            + " holds "
                            + entry.size()
                            + " bytes but "
                            + storage.numel()
                            + " "
                            + storage.typeName()
                            + " elements need "
                            + needed);
        }
        String what = "storage " + name + " of key '" + key + "'";
        mapped = file.map(zip.dataOffset(entry, what), needed, what);
        storages.put(storage.key(), mapped);
        return mapped;
    }

    @Override
    public synchronized void close() {
        storages.clear();
        file.close();
    }
}
