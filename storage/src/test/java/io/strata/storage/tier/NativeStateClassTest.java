package io.strata.storage.tier;

import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The pre-generated {@code VanillaGlobalMutableState$$Native} (storage/src/main/java) must be
 * exactly what Chronicle Values generates for the Chronicle Map on the class path, and must be
 * the class Chronicle uses (so no map creation runs javac).
 */
class NativeStateClassTest {
    private static final String NAME = "VanillaGlobalMutableState$$Native";

    @Test
    @DisplayName("the committed VanillaGlobalMutableState$$Native is what Chronicle Values generates today")
    void committedClassMatchesTheGenerator() throws Exception {
        Class<?> modelClass = Class.forName("net.openhft.chronicle.values.ValueModel");
        Object model = modelClass.getMethod("acquire", Class.class)
            .invoke(null, Class.forName("net.openhft.chronicle.hash.VanillaGlobalMutableState"));
        Method gen = Class.forName("net.openhft.chronicle.values.Generators")
            .getDeclaredMethod("generateNativeClass", modelClass, String.class);
        gen.setAccessible(true);
        String generated = (String) gen.invoke(null, model, NAME);
        Path source = Path.of("src/main/java/net/openhft/chronicle/hash/" + NAME + ".java");
        List<String> committed = Files.readAllLines(source).stream()
            .filter(l -> !l.startsWith("//")).collect(Collectors.toList());
        assertEquals(generated.strip(), String.join("\n", committed).strip(),
            "Chronicle Values now generates a different " + NAME + ": replace the code in " + source
                + " (below its comment) with:\n" + generated);
    }

    @Test
    @DisplayName("Chronicle Map's native state class is the committed one (loaded, not compiled)")
    void chronicleUsesTheCommittedClass() throws Exception {
        Class<?> used = net.openhft.chronicle.values.Values.nativeClassFor(
            Class.forName("net.openhft.chronicle.hash.VanillaGlobalMutableState"));
        assertEquals("net.openhft.chronicle.hash." + NAME, used.getName());
        // loaded from this module's classes (a class compiled at run time has no code source)
        assertEquals(SpillStore.class.getProtectionDomain().getCodeSource().getLocation(),
            used.getProtectionDomain().getCodeSource() == null ? null : used.getProtectionDomain().getCodeSource().getLocation());
        try (ChronicleMap<byte[], byte[]> m = ChronicleMap.of(byte[].class, byte[].class)
                .entries(16).averageKeySize(8).averageValueSize(8).create()) {
            m.put(new byte[] {1}, new byte[] {2});
            assertEquals(1, m.size());
        }
    }
}
