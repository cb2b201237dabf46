package io.varflow.operators.validate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which of the two ways of naming images a request uses: {@code classLabel} + {@code count}, or
 * {@code labels}. The schema says the same with a {@code oneOf}, whose failure reads as a dump of
 * both branches; this check runs first and says what to change.
 */
final class LabelForm {

    static final String BOTH = "give either classLabel + count or labels, not both";
    static final String NEITHER = "give either classLabel + count or labels";

    private LabelForm() {}

    /**
     * The problem with how {@code request} names its images, or null when it uses exactly one form.
     */
    static String problem(JsonNode request) {
        boolean labels = request.has("labels");
        boolean classLabel = request.has("classLabel");
        boolean count = request.has("count");
        if (labels && (classLabel || count)) {
            return BOTH;
        }
        if (labels || (classLabel && count)) {
            return null;
        }
        if (classLabel) {
            return "classLabel needs count (" + NEITHER + ")";
        }
        if (count) {
            return "count needs classLabel (" + NEITHER + ")";
        }
        return NEITHER;
    }
}
