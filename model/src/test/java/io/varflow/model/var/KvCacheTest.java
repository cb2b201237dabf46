package io.varflow.model.var;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The preallocated cache is written in place, scale by scale, and reads back what was written. */
class KvCacheTest {

    @Test
    void writesLandInPlaceAtTheirTokenRangeAndReadsCoverThePrefix() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            int rows = 2;
            int heads = 3;
            int total = 1 + 4 + 9;
            int hd = 5;
            KvCache cache = new KvCache(m, 2, rows, heads, total, hd, DataType.FLOAT32);
            NDArray k0 = m.randomUniform(-1, 1, new Shape(rows, heads, 1, hd));
            NDArray v0 = m.randomUniform(-1, 1, new Shape(rows, heads, 1, hd));
            NDArray k1 = m.randomUniform(-1, 1, new Shape(rows, heads, 4, hd));
            NDArray v1 = m.randomUniform(-1, 1, new Shape(rows, heads, 4, hd));
            NDArray other = m.randomUniform(-1, 1, new Shape(rows, heads, 1, hd));
            cache.write(0, 0, 1, other, other);
            cache.write(1, 0, 1, k0, v0);
            cache.write(1, 1, 5, k1, v1);
            NDArray keys = cache.keys(1, 5);
            NDArray values = cache.values(1, 5);
            assertThat(keys.getShape()).isEqualTo(new Shape(rows, heads, 5, hd));
            assertThat(keys.get(":, :, 0:1").contentEquals(k0)).isTrue();
            assertThat(keys.get(":, :, 1:5").contentEquals(k1)).isTrue();
            assertThat(values.get(":, :, 1:5").contentEquals(v1)).isTrue();
            // another block's entries are untouched (unwritten tokens are never read: the cache
            // is allocated uninitialised)
            assertThat(cache.keys(0, 1).contentEquals(other)).isTrue();
            assertThat(cache.values(0, 1).contentEquals(other)).isTrue();
            cache.close();
        }
    }
}
