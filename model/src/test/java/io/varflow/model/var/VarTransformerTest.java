package io.varflow.model.var;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import org.junit.jupiter.api.Test;

class VarTransformerTest {

    @Test
    void firstScaleArgmaxMatchesOfficialTokens() throws Exception {
        ModelConfig config = ModelConfigs.read(BundledFiles.path("varflow/tiny/config.json"));
        try (NDManager root = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
                StateDict sd = Checkpoints.open(BundledFiles.path("varflow/tiny/var.pth"));
                VarTransformer var = VarTransformer.load(config, sd, root, DataType.FLOAT32);
                NDManager pass = root.newSubManager();
                NDScope scope = new NDScope()) {
            NDArray labels = pass.create(new long[] {0, 1, 2, 3, 9});
            VarTransformer.Pass p = var.start(labels, pass);
            NDArray logits = p.logits(p.firstInput(), 0);
            long[] tokens = logits.get("0:5").argMax(-1).toLongArray();
            assertThat(tokens).containsExactly(60, 57, 60, 53, 53);
        }
    }
}
