package io.varflow.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.SamplingParams;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.validate.ValidRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One model's traffic must reach every batching subtask (one per GPU), not funnel into one. */
class RoutingITCase {

    private static final int GPUS = 3;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(GPUS)
                            .build());

    /** Tags each batch with the index of the subtask that formed it. */
    private static final class SubtaskOf
            extends RichMapFunction<TaskBatch, Tuple2<Integer, Integer>> {
        @Override
        public Tuple2<Integer, Integer> map(TaskBatch batch) {
            return Tuple2.of(
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), batch.size());
        }
    }

    @Test
    void oneModelsImagesAreSpreadOverAllBatchingSubtasks() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<ValidRequest> requests = new ArrayList<>();
        requests.add(
                new ValidRequest(
                        "one-big",
                        "tiny",
                        new int[30],
                        1,
                        SamplingParams.FID,
                        Priority.BULK,
                        true,
                        true,
                        "",
                        0,
                        "test"));
        for (int r = 0; r < 30; r++) {
            requests.add(
                    new ValidRequest(
                            "small-" + r,
                            "tiny",
                            new int[] {r % 10},
                            r,
                            SamplingParams.FID,
                            Priority.INTERACTIVE,
                            true,
                            true,
                            "",
                            0,
                            "test"));
        }
        SubtaskRouting routing = new SubtaskRouting(GPUS, 128);
        List<Tuple2<Integer, Integer>> batches =
                env.fromData(requests, TypeInformation.of(ValidRequest.class))
                        .process(
                                new ExpandRequestFunction(routing),
                                TypeInformation.of(ImageWork.class))
                        .keyBy(ImageWork::routeKey)
                        .process(
                                new GpuBatcher(
                                        ModelCatalog.of(List.of(ModelSpec.tiny(4))),
                                        new BatchingOptions(60_000, 1)),
                                TypeInformation.of(TaskBatch.class))
                        .setParallelism(GPUS)
                        .setMaxParallelism(128)
                        .map(new SubtaskOf())
                        .returns(Types.TUPLE(Types.INT, Types.INT))
                        .setParallelism(GPUS)
                        .executeAndCollect(1000);

        Map<Integer, Integer> imagesPerSubtask =
                batches.stream()
                        .collect(
                                Collectors.groupingBy(t -> t.f0, Collectors.summingInt(t -> t.f1)));
        assertThat(imagesPerSubtask)
                .as("every GPU gets a share of the tiny model's 60 images")
                .hasSize(GPUS);
        assertThat(imagesPerSubtask.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(60);
        assertThat(imagesPerSubtask.values()).allSatisfy(n -> assertThat(n).isBetween(12, 28));
        assertThat(batches).allSatisfy(t -> assertThat(t.f1).isBetween(1, 4));
    }
}
