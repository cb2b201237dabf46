package io.varflow.operators.edit;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.edit.EditRegion;
import io.varflow.model.edit.EditSource;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.validate.Reasons;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Fetches and decodes an edit's source and mask: reads {@code uri} objects through a {@link
 * SourceFetcher} or decodes {@code pngBase64}, within the size limits; recognises a source by its
 * content (a PNG of the model's resolution or a varflow token map of its scales) and turns a mask
 * (boxes, or a PNG whose marked pixels are the region) into an {@link EditRegion}.
 */
final class EditSourceLoader implements Serializable {

    private static final long serialVersionUID = 1L;

    private final EditLimits limits;

    EditSourceLoader(EditLimits limits) {
        this.limits = limits;
    }

    /**
     * A decoded source.
     *
     * @param uri where it came from ({@code s3://…} or {@link EditValidator#INLINE})
     * @param source the model's view of it
     * @param tokens a token map's tokens, every scale concatenated; empty for an image
     * @param rgb an image's 8-bit interleaved RGB; empty for a token map
     * @param size an image's side; 0 for a token map
     * @param label a token map's label, null for an image
     */
    record LoadedSource(
            String uri, EditSource source, int[] tokens, byte[] rgb, int size, Integer label) {}

    /** Reads the message's {@code source} object and checks it fits model {@code modelName}. */
    LoadedSource source(
            JsonNode sourceNode, ModelConfig config, String modelName, SourceFetcher fetcher)
            throws EditRefusal {
        String uri =
                sourceNode.hasNonNull("uri")
                        ? sourceNode.get("uri").textValue()
                        : EditValidator.INLINE;
        byte[] bytes =
                sourceNode.hasNonNull("uri")
                        ? fetch(fetcher, uri, "source")
                        : inline(sourceNode.get("pngBase64").textValue(), "source.pngBase64");
        if (isPng(bytes) || EditValidator.INLINE.equals(uri)) {
            PngImages.Image image = decodePng(bytes, "source " + uri, ErrorCode.UNREADABLE_SOURCE);
            int size = config.imageSize();
            if (image.width() != size || image.height() != size) {
                throw new EditRefusal(
                        ErrorCode.WRONG_SOURCE_SIZE,
                        "source "
                                + uri
                                + " is "
                                + image.width()
                                + "x"
                                + image.height()
                                + "; model '"
                                + modelName
                                + "' edits "
                                + size
                                + "x"
                                + size
                                + " images");
            }
            return new LoadedSource(
                    uri,
                    new EditSource.Image(image.chw(), size),
                    new int[0],
                    EditWork.rgbOf(image.chw(), size),
                    size,
                    null);
        }
        TokenMap map;
        try {
            map = TokenMapFile.read(bytes, uri);
        } catch (IOException | RuntimeException e) {
            throw new EditRefusal(
                    ErrorCode.UNREADABLE_SOURCE,
                    "source "
                            + uri
                            + " is neither a PNG nor a varflow token map: "
                            + Reasons.firstLine(e.getMessage()));
        }
        if (!map.patchNums().equals(config.patchNums())) {
            throw new EditRefusal(
                    ErrorCode.WRONG_SOURCE_SIZE,
                    "source "
                            + uri
                            + " holds scales "
                            + map.patchNums()
                            + "; model '"
                            + modelName
                            + "' has "
                            + config.patchNums());
        }
        int[][] perScale = map.tokensPerScale();
        return new LoadedSource(
                uri,
                new EditSource.Tokens(perScale),
                flatten(perScale),
                new byte[0],
                0,
                map.label());
    }

    /** The region of the message's {@code mask} object: boxes, or a PNG by uri or inline. */
    EditRegion region(JsonNode mask, SourceFetcher fetcher) throws EditRefusal {
        if (mask.hasNonNull("boxes")) {
            List<EditRegion.Box> boxes = new ArrayList<>();
            int i = 0;
            for (JsonNode b : mask.get("boxes")) {
                try {
                    boxes.add(
                            new EditRegion.Box(
                                    b.get(0).doubleValue(),
                                    b.get(1).doubleValue(),
                                    b.get(2).doubleValue(),
                                    b.get(3).doubleValue()));
                } catch (IllegalArgumentException e) {
                    throw new EditRefusal(
                            ErrorCode.INVALID_MASK, "mask.boxes[" + i + "]: " + e.getMessage());
                }
                i++;
            }
            return EditRegion.boxes(boxes);
        }
        String where = mask.hasNonNull("uri") ? mask.get("uri").textValue() : "mask.pngBase64";
        byte[] bytes =
                mask.hasNonNull("uri")
                        ? fetch(fetcher, where, "mask")
                        : inline(mask.get("pngBase64").textValue(), "mask.pngBase64");
        PngImages.Image image = decodePng(bytes, "mask " + where, ErrorCode.INVALID_MASK);
        try {
            return EditRegion.maskFromImage(image.chw(), image.width(), image.height());
        } catch (IllegalArgumentException e) {
            throw new EditRefusal(ErrorCode.INVALID_MASK, "mask " + where + ": " + e.getMessage());
        }
    }

    private byte[] fetch(SourceFetcher fetcher, String uri, String what) throws EditRefusal {
        try {
            return fetcher.fetch(uri, limits.maxObjectBytes());
        } catch (SourceFetcher.NotFoundException e) {
            throw new EditRefusal(ErrorCode.SOURCE_NOT_FOUND, what + " " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new EditRefusal(ErrorCode.INVALID_PARAMETER, what + " " + e.getMessage());
        } catch (IOException e) {
            throw new EditRefusal(
                    ErrorCode.UNREADABLE_SOURCE, what + ": " + Reasons.firstLine(e.getMessage()));
        }
    }

    private byte[] inline(String base64, String field) throws EditRefusal {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new EditRefusal(
                    ErrorCode.UNREADABLE_SOURCE, field + " is not base64: " + e.getMessage());
        }
        if (bytes.length > limits.maxInlineBytes()) {
            throw new EditRefusal(
                    ErrorCode.MESSAGE_TOO_LARGE,
                    field
                            + " decodes to "
                            + bytes.length
                            + " bytes; the inline limit is "
                            + limits.maxInlineBytes()
                            + " (upload it and give a uri)");
        }
        return bytes;
    }

    private static PngImages.Image decodePng(byte[] bytes, String what, ErrorCode code)
            throws EditRefusal {
        if (!isPng(bytes)) {
            throw new EditRefusal(code, what + " is not a PNG");
        }
        try {
            return PngImages.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new EditRefusal(
                    code, what + " is not a readable PNG: " + Reasons.firstLine(e.getMessage()));
        }
    }

    private static boolean isPng(byte[] bytes) {
        return bytes.length >= 8
                && (bytes[0] & 0xFF) == 0x89
                && bytes[1] == 'P'
                && bytes[2] == 'N'
                && bytes[3] == 'G';
    }

    private static int[] flatten(int[][] perScale) {
        int total = 0;
        for (int[] s : perScale) {
            total += s.length;
        }
        int[] flat = new int[total];
        int offset = 0;
        for (int[] s : perScale) {
            System.arraycopy(s, 0, flat, offset, s.length);
            offset += s.length;
        }
        return flat;
    }
}
