package io.varflow.operators.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.TaskBatch;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.validate.ValidRequest;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every stream element and state type must be a Flink POJO: no Kryo fallback anywhere inside. */
class StreamTypesTest {

    static List<Class<?>> streamTypes() {
        return List.of(
                RawRecord.class,
                ValidRequest.class,
                ImageWork.class,
                TaskBatch.class,
                DeadLetter.class,
                io.varflow.operators.edit.EditWork.class);
    }

    @ParameterizedTest
    @MethodSource("streamTypes")
    void isAPojoWithoutGenericFields(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info)
                .as("%s must be analysed as a POJO", type.getSimpleName())
                .isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getPojoFieldAt(i).getTypeInformation())
                    .as(
                            "%s.%s must not fall back to Kryo",
                            type.getSimpleName(), pojo.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
    }
}
