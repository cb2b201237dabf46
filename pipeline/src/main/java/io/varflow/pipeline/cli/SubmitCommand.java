package io.varflow.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code varflow submit}: sends request messages to the requests topic, from a JSONL file, from
 * stdin, or given as arguments, and optionally waits for each one's ResultEvent or dead letter.
 */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = {
            "Send requests (JSON, one per line) to the requests topic; with --wait, print each one's outcome.",
            "Example: varflow submit --bootstrap-servers kafka:9092 '{\"requestId\":\"r1\",\"classLabel\":3,\"count\":2}'"
        })
public final class SubmitCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "JSONL file of requests; '-' reads stdin.")
    Path input;

    @Parameters(paramLabel = "JSON", arity = "0..*", description = "Requests as JSON arguments.")
    List<String> json = new ArrayList<>();

    @Option(names = "--wait", description = "Wait for every request's ResultEvent or dead letter.")
    boolean await;

    @Option(
            names = "--timeout",
            defaultValue = "10m",
            description = "Longest wait with --wait (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--time-budget",
            paramLabel = "DURATION",
            description =
                    "Give every request without a deadline of its own this time budget (timeBudgetMs), e.g. 2s.")
    String timeBudget;

    @Override
    public Integer call() throws Exception {
        JobConfig config = settings.toJobConfig(System.getenv());
        List<String> messages = new ArrayList<>(json);
        if (input != null) {
            messages.addAll(
                    input.toString().equals("-")
                            ? RequestLines.read(System.in)
                            : RequestLines.read(input));
        } else if (json.isEmpty()) {
            messages.addAll(RequestLines.read(System.in));
        }
        if (messages.isEmpty()) {
            throw new UserInputException(
                    "no requests: give JSON arguments, --input FILE or lines on stdin");
        }
        if (timeBudget != null) {
            long budgetMs = DurationFlags.parse("--time-budget", timeBudget).toMillis();
            messages.replaceAll(message -> withTimeBudget(message, budgetMs));
        }
        Duration wait = parseTimeout(timeout);
        Properties connection = KafkaClientSettings.connection(config);
        PrintWriter out = spec.commandLine().getOut();
        OutcomeReader outcomes =
                await
                        ? new OutcomeReader(
                                connection,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                false)
                        : null;
        try {
            List<SubmittedRequest> submitted;
            try (RequestProducer producer =
                    new RequestProducer(connection, config.get(JobOptions.TOPIC_REQUESTS))) {
                submitted = producer.send(messages);
            }
            for (SubmittedRequest s : submitted) {
                out.printf("submitted %s requestId=%s%n", s.coordinates(), s.requestId());
            }
            out.flush();
            if (outcomes == null) {
                return 0;
            }
            List<SubmittedRequest> missing = outcomes.awaitAll(submitted, wait);
            int failures = 0;
            for (SubmittedRequest s : submitted) {
                JsonNode dead = outcomes.deadLetters().get(s.coordinates());
                List<JsonNode> results =
                        s.requestId() == null ? null : outcomes.results().get(s.requestId());
                if (results != null) {
                    out.println(results.get(0).toString());
                    failures += "succeeded".equals(results.get(0).path("status").asText()) ? 0 : 1;
                } else if (dead != null) {
                    out.println(dead.toString());
                    failures++;
                }
            }
            for (SubmittedRequest s : missing) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                "varflow submit: no outcome for line %d (%s) within %s%n",
                                s.line(), s.coordinates(), timeout);
            }
            out.flush();
            return missing.isEmpty() && failures == 0 ? 0 : 1;
        } finally {
            if (outcomes != null) {
                outcomes.close();
            }
        }
    }

    /**
     * {@code message} with {@code timeBudgetMs} set, unless it already has a deadline or is not a
     * JSON object (the job then dead-letters it with the reason, as without the flag).
     */
    static String withTimeBudget(String message, long budgetMs) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (java.io.IOException e) {
            return message;
        }
        if (!(node instanceof ObjectNode object)
                || object.has("deadline")
                || object.has("timeBudgetMs")) {
            return message;
        }
        return object.put("timeBudgetMs", budgetMs).toString();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static Duration parseTimeout(String text) {
        return DurationFlags.parse("--timeout", text);
    }
}
