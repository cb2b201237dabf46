package io.varflow.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens checkpoint files: PyTorch {@code torch.save} zip archives (the published {@code .pth}
 * files) and safetensors files, told apart by their first bytes, not by the file name. Tensors are
 * memory-mapped, so opening an 8 GB checkpoint costs almost no heap.
 */
public final class Checkpoints {

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /** Pickled magic number 0x1950a86a20f9469cfc6c that starts a legacy (pre-1.6) torch file. */
    private static final byte[] LEGACY_TORCH_MAGIC = {
        (byte) 0x80,
        0x02,
        (byte) 0x8a,
        0x0a,
        0x6c,
        (byte) 0xfc,
        (byte) 0x9c,
        0x46,
        (byte) 0xf9,
        0x20,
        0x6a,
        (byte) 0xa8,
        0x50,
        0x19
    };

    private Checkpoints() {}

    /**
     * Opens a checkpoint; the caller closes the returned state dict.
     *
     * @throws CheckpointException naming the file when it is missing, truncated, in an unsupported
     *     format, or describes its tensors in a way this reader cannot follow
     */
    public static StateDict open(Path path) throws CheckpointException {
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(path, "no such checkpoint file");
        }
        MappedFile file = new MappedFile(path);
        try {
            ByteBuffer head = file.read(0, (int) Math.min(16, file.size()), "file header");
            if (startsWith(head, ZIP_MAGIC)) {
                return TorchZipStateDict.open(file);
            }
            if (startsWith(head, LEGACY_TORCH_MAGIC)) {
                throw new CheckpointException(
                        path,
                        "legacy (non-zip) torch.save format is not supported; re-save it "
                                + "with torch >= 1.6 (torch.save(torch.load(f), f2)) or convert it to safetensors");
            }
            if (SafetensorsStateDict.looksLike(head, file.size())) {
                return SafetensorsStateDict.open(file);
            }
            throw new CheckpointException(
                    path, "not a checkpoint: neither a PyTorch zip (.pth) nor a safetensors file");
        } catch (CheckpointException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Reads a safetensors file held in memory (e.g. an object fetched from storage); {@code label}
     * names it in errors.
     */
    public static StateDict openSafetensors(byte[] bytes, String label) throws CheckpointException {
        ByteSource source = ByteSource.of(bytes, Path.of(label));
        ByteBuffer head = source.read(0, Math.min(16, bytes.length), "header");
        if (!SafetensorsStateDict.looksLike(head, bytes.length)) {
            throw new CheckpointException(source.path(), "not a safetensors file");
        }
        return SafetensorsStateDict.open(source);
    }

    /** The {@code __metadata__} of a safetensors state dict, or an empty map for other formats. */
    public static Map<String, String> metadata(StateDict stateDict) {
        return stateDict instanceof SafetensorsStateDict safetensors
                ? safetensors.metadata()
                : Map.of();
    }

    private static boolean startsWith(ByteBuffer head, byte[] magic) {
        if (head.limit() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
