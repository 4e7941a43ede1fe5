package io.eitrelay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace the test creates, joined to this one by a veth pair on a /30 of 10.77.0.0/16:
 * this side is .1, the namespace's side .2. Setting the namespace's end down makes every packet to it
 * vanish without an answer, as a dead server or a cut link does. Deleting the namespace removes both ends.
 */
public final class NetNamespace implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private final String ip;
    private final String name;
    private final String inside;
    private final String outside;
    private final InetAddress hostSide;
    private final InetAddress namespaceSide;

    private NetNamespace(String ip, String name, String outside, String inside, InetAddress hostSide,
                         InetAddress namespaceSide) {
        this.ip = ip;
        this.name = name;
        this.outside = outside;
        this.inside = inside;
        this.hostSide = hostSide;
        this.namespaceSide = namespaceSide;
    }

    public static NetNamespace create() throws IOException, InterruptedException {
        String ip = ExternalProcess.require("ip", "iproute2");
        int subnet = ThreadLocalRandom.current().nextInt(1, 16_000) * 4;
        String tag = "eit" + ProcessHandle.current().pid() % 10_000 + "x" + subnet / 4;
        String outside = tag + "a";
        String inside = tag + "b";
        String prefix = "10.77." + (subnet >> 8) + ".";
        InetAddress host = address(prefix + ((subnet & 0xff) + 1));
        InetAddress peer = address(prefix + ((subnet & 0xff) + 2));
        NetNamespace ns = new NetNamespace(ip, tag, outside, inside, host, peer);
        try {
            ns.run(ip, "netns", "add", tag);
            ns.run(ip, "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", tag);
            ns.run(ip, "addr", "add", host.getHostAddress() + "/30", "dev", outside);
            ns.run(ip, "link", "set", outside, "up");
            ns.inNamespace(ip, "addr", "add", peer.getHostAddress() + "/30", "dev", inside);
            ns.inNamespace(ip, "link", "set", inside, "up");
            ns.inNamespace(ip, "link", "set", "lo", "up");
        } catch (IOException | InterruptedException | AssertionError e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The namespace's address (the far end of the link). */
    public InetAddress address() {
        return namespaceSide;
    }

    public InetAddress hostAddress() {
        return hostSide;
    }

    /** {@code command} run inside the namespace, as a long-lived process. */
    public ExternalProcess start(List<String> command, Path output) throws IOException {
        List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", name));
        full.addAll(command);
        return ExternalProcess.start(full, output);
    }

    /** Cuts the link: packets to the namespace are dropped, nothing answers, no reset is sent. */
    public void cutLink() throws IOException, InterruptedException {
        inNamespace(ip, "link", "set", inside, "down");
    }

    private void inNamespace(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", name));
        full.addAll(List.of(command));
        run(full.toArray(String[]::new));
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("eit-netns", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(0, ended ? process.exitValue() : -1, String.join(" ", command) + ": " + text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /**
     * Deletes the veth pair first: a namespace whose sockets still retransmit into a cut link outlives
     * its name for minutes, and so would the host's end of the pair.
     */
    @Override
    public void close() throws IOException {
        quietly(ip, "link", "delete", outside);
        quietly(ip, "netns", "delete", name);
    }

    private static void quietly(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
