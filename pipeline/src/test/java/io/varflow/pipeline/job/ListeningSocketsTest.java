package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ListeningSocketsTest {

    @Test
    void readsProcNetAddressesInHostByteOrder() throws Exception {
        InetSocketAddress v4 = ListeningSockets.address("0100007F:1F90");
        assertThat(v4.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(v4.getPort()).isEqualTo(8080);
        assertThat(ListeningSockets.address("00000000:0050").getAddress().isAnyLocalAddress())
                .isTrue();
        InetSocketAddress v6Loopback =
                ListeningSockets.address("00000000000000000000000001000000:1F90");
        assertThat(v6Loopback.getAddress().isLoopbackAddress()).isTrue();
        InetSocketAddress mapped =
                ListeningSockets.address("0000000000000000FFFF00000100007F:0050");
        assertThat(mapped.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(
                        ListeningSockets.address("00000000000000000000000000000000:0050")
                                .getAddress()
                                .isAnyLocalAddress())
                .isTrue();
    }
}
