package io.varflow.pipeline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface, for servers that must be told their port up front. */
final class FreePorts {

    private FreePorts() {}

    /**
     * Asks the OS for a free loopback port. The port is released before it is returned, so another
     * process could take it in between; the embedded servers start within milliseconds, which keeps
     * that window small.
     */
    static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
