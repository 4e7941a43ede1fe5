package io.eitrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.eitrelay.testing.ExternalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Linux kernel NFS client: Debian's kernel booted under QEMU (software emulation; KVM hangs on
 * these machines) from an initramfs holding busybox, the NFS modules and the test's shell script.
 * QEMU's user-mode network makes the host's 127.0.0.1 the guest's 10.0.2.2, so the guest mounts
 * whatever listens on host loopback. Recipe and pitfalls: ../shared/docs/nfs-lab.md.
 */
final class KernelClient implements AutoCloseable {
    /** The host's loopback as the guest sees it (QEMU user networking). */
    static final String HOST = "10.0.2.2";
    static final String GUEST = "10.0.2.15";
    /** Modules for the network card and the NFS client, each with its dependencies (modprobe order). */
    private static final List<String> MODULES = List.of("virtio_pci", "virtio_net", "nfsv4", "nfsv3");
    private static final long COMMAND_TIMEOUT_SECONDS = 60;
    /** Lines the script prints with {@link #mark}: "EIT name value". */
    private static final Pattern MARK = Pattern.compile("^EIT (\\S+) ?(.*)$", Pattern.MULTILINE);

    private static final String INIT = """
            #!/bin/sh
            /bin/busybox --install -s /bin
            mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
            for m in $(cat /modules.list); do insmod "$m" || echo "EIT insmod-failed $m"; done
            ip link set lo up; ip link set eth0 up
            ip addr add %s/24 dev eth0; ip route add default via %s
            mkdir -p /mnt /data; mount -t tmpfs tmpfs /data
            echo "EIT booted"
            sh /test.sh
            echo "EIT end $?"
            poweroff -f
            """.formatted(GUEST, HOST);

    private final ExternalProcess qemu;

    private KernelClient(ExternalProcess qemu) {
        this.qemu = qemu;
    }

    /** A shell line that prints a marker the host reads with {@link #awaitMark}. */
    static String mark(String name, String valueExpression) {
        return "echo \"EIT " + name + " " + valueExpression + "\"";
    }

    /** Boots a guest that runs {@code script} (busybox sh) once up, then powers off. */
    static KernelClient boot(Path dir, String script) throws IOException, InterruptedException {
        String qemu = ExternalProcess.require("qemu-system-x86_64", "qemu-system-x86");
        String busybox = ExternalProcess.require("busybox", "busybox-static");
        ExternalProcess.require("cpio", "cpio");
        String kernel = kernelVersion();
        Path root = Files.createDirectories(dir.resolve("initramfs"));
        for (String sub : List.of("bin", "proc", "sys", "dev", "lib/modules")) {
            Files.createDirectories(root.resolve(sub));
        }
        Files.copy(Path.of(busybox), root.resolve("bin/busybox"));
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        List<String> modules = new ArrayList<>();
        for (Path module : modules(kernel)) {
            Path copy = root.resolve("lib/modules").resolve(module.getFileName().toString());
            Files.copy(module, copy);
            modules.add("/" + root.relativize(copy));
        }
        Files.write(root.resolve("modules.list"), modules);
        Files.writeString(root.resolve("init"), INIT);
        Files.setPosixFilePermissions(root.resolve("init"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("test.sh"), script);
        Path initrd = dir.resolve("initrd.gz");
        run("sh", "-c", "cd \"$0\" && find . | cpio -o -H newc --quiet | gzip -1 > \"$1\"", root.toString(), initrd.toString());
        return new KernelClient(ExternalProcess.start(List.of(qemu, "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "512",
                "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
                "-kernel", "/boot/vmlinuz-" + kernel, "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 quiet",
                "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"), dir.resolve("serial.out")));
    }

    /** The newest kernel that has both an image in /boot and its modules (Debian's linux-image-amd64). */
    private static String kernelVersion() throws IOException {
        Optional<String> newest;
        try (Stream<Path> images = Files.list(Path.of("/boot"))) {
            newest = images.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith("vmlinuz-"))
                    .map(name -> name.substring("vmlinuz-".length()))
                    .filter(version -> Files.isRegularFile(Path.of("/lib/modules", version, "modules.dep")))
                    .max(Comparator.naturalOrder());
        }
        return newest.orElseGet(() -> fail("no kernel with modules in /boot: install the Debian package "
                + "'linux-image-amd64' (scripts/test installs everything the tests need)"));
    }

    /** modprobe's load order, one call per module: several names in one call handle only the first. */
    private static Set<Path> modules(String kernel) throws IOException, InterruptedException {
        String modprobe = ExternalProcess.require("modprobe", "kmod");
        Set<Path> ordered = new LinkedHashSet<>();
        for (String module : MODULES) {
            for (String line : run(modprobe, "-S", kernel, "--show-depends", module).split("\n")) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("insmod")) {
                    ordered.add(Path.of(words[1]));
                }
            }
        }
        assertTrue(ordered.size() >= MODULES.size(), "modules of " + kernel + ": " + ordered);
        return ordered;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        assertEquals(0, ended ? process.exitValue() : -1, String.join(" ", command) + ": " + output);
        return output;
    }

    /** The value of the first marker {@code name}, waiting at most {@code millis}; fails with the console. */
    String awaitMark(String name, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            Optional<String> value = mark(name);
            if (value.isPresent()) {
                return value.get();
            }
            if (!qemu.process().isAlive() || System.nanoTime() > deadline) {
                return fail("no \"EIT " + name + "\" from the guest within " + millis + " ms (alive: "
                        + qemu.process().isAlive() + "); console:\n" + console());
            }
            Thread.sleep(20);
        }
    }

    private Optional<String> mark(String name) {
        // Complete lines only: the console file is read while the guest is still writing it.
        String console = console();
        Matcher matcher = MARK.matcher(console.substring(0, console.lastIndexOf('\n') + 1).replace("\r", ""));
        while (matcher.find()) {
            if (matcher.group(1).equals(name)) {
                return Optional.of(matcher.group(2).trim());
            }
        }
        return Optional.empty();
    }

    String console() {
        return qemu.output();
    }

    /** Waits for the guest to power itself off. */
    void awaitPowerOff(long millis) throws InterruptedException {
        assertTrue(qemu.process().waitFor(millis, TimeUnit.MILLISECONDS), "guest still running; console:\n" + console());
    }

    @Override
    public void close() {
        qemu.close();
    }
}
