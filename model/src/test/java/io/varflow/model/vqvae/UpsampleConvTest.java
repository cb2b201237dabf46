package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.varflow.model.nn.TorchFunctions;
import org.junit.jupiter.api.Test;

class UpsampleConvTest {

    @Test
    void equalsNearestTwiceThenTheThreeByThreeConvolution() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            int in = 6;
            int out = 5;
            NDArray weight = m.randomNormal(new Shape(out, in, 3, 3));
            NDArray bias = m.randomNormal(new Shape(out));
            // Odd and even, square and not: every parity meets the border.
            for (Shape shape : new Shape[] {new Shape(2, in, 4, 4), new Shape(1, in, 3, 5)}) {
                NDArray x = m.randomNormal(shape);
                NDArray upsampled = x.repeat(2, 2).repeat(3, 2);
                NDArray expected =
                        Conv2d.conv2d(
                                        upsampled,
                                        weight,
                                        bias,
                                        new Shape(1, 1),
                                        new Shape(1, 1),
                                        new Shape(1, 1),
                                        1)
                                .singletonOrThrow();
                UpsampleConv layer = UpsampleConv.of(weight, bias, DataType.FLOAT32);
                NDArray actual = TorchFunctions.contiguous(layer.forward(x, true));
                assertThat(actual.getShape()).isEqualTo(expected.getShape());
                float scale = expected.abs().max().getFloat();
                assertThat(actual.sub(expected).abs().max().getFloat() / scale).isLessThan(1e-5f);
                // Either layout in and out gives the same result (oneDNN sums in another order
                // for channels-last: equal to float precision).
                NDArray fromChannelsLast = layer.forward(TorchFunctions.channelsLast(x), false);
                assertThat(fromChannelsLast.sub(expected).abs().max().getFloat() / scale)
                        .isLessThan(1e-5f);
            }
        }
    }
}
