package routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pairs of top-level packages under {@code routes} (sub-packages count as their parent: {@code source.http}
 * is {@code source}) that must not depend on each other both ways; and no cycle at all among the stages'
 * sub-packages of {@code routes.pipeline}. A dependency is any use of the other package in code: an import,
 * a static import or a fully qualified name; comments and string literals do not count. Plain source
 * scanning, no ArchUnit.
 */
class PackageCyclesTest {

    static final Path MAIN = Path.of("src/main/java");

    /** One line per pair; a pair is checked while its line is in. */
    static final String[][] NO_CYCLE_BETWEEN = {
        {"ops", "source"},
        {"pipeline", "status"}, // status plugs into the pipeline (commit.CommitParticipant, step track-running)
    };

    private static final Pattern REFERENCE = Pattern.compile("\\broutes\\.([a-z][a-z0-9_]*)\\.");
    private static final Pattern PIPELINE_REFERENCE = Pattern.compile("\\broutes\\.pipeline\\.([a-z][a-z0-9_]*)\\.");

    @Test
    void theListedPackagesDoNotDependOnEachOtherBothWays() {
        Map<String, Map<String, Set<String>>> dependencies = dependencies(MAIN.resolve("routes"), REFERENCE);
        assertThat(dependencies).as("packages scanned").containsKeys("ops", "source", "pipeline", "status");
        List<String> cycles = new ArrayList<>();
        for (String[] pair : NO_CYCLE_BETWEEN) {
            Set<String> there = users(dependencies, pair[0], pair[1]);
            Set<String> back = users(dependencies, pair[1], pair[0]);
            if (!there.isEmpty() && !back.isEmpty()) {
                cycles.add(pair[0] + " → " + pair[1] + " in " + there + ", and " + pair[1] + " → " + pair[0] + " in " + back);
            }
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    /**
     * The stages (validate, dedup, split, commit, outcome, steps) use earlier stages and the root package,
     * never a later one. The root package (the batch model, and PipelineConfiguration, which wires every
     * stage) is left out, as {@code routes.IngestApplication} is above.
     */
    @Test
    void theSubPackagesOfThePipelineHaveNoCycle() {
        Map<String, Map<String, Set<String>>> dependencies =
                dependencies(MAIN.resolve("routes/pipeline"), PIPELINE_REFERENCE);
        assertThat(dependencies).as("sub-packages scanned").containsKeys("validate", "dedup", "split", "commit",
                "outcome", "steps");
        assertThat(cycles(dependencies)).as("cycles among routes.pipeline.*").isEmpty();
    }

    @Test
    void aCycleOfAnyLengthIsFound() {
        Map<String, Map<String, Set<String>>> chain = Map.of(
                "a", Map.of("b", Set.of("a/A.java")), "b", Map.of("c", Set.of("b/B.java")), "c", Map.of());
        assertThat(cycles(chain)).isEmpty();
        Map<String, Map<String, Set<String>>> loop = Map.of(
                "a", Map.of("b", Set.of("a/A.java")), "b", Map.of("c", Set.of("b/B.java")),
                "c", Map.of("a", Set.of("c/C.java")));
        assertThat(cycles(loop)).containsExactly("a → b → c → a");
    }

    @Test
    void aDependencyIsCodeNotACommentOrAString() {
        String source = """
                package routes.a;

                import routes.b.Imported;
                import static routes.c.Helpers.help;

                /** Mentions {@link routes.d.InJavadoc} only. */
                class Example {
                    // routes.e.InALineComment
                    String text = "routes.f.InAString // not a comment";
                    String block = \"""
                            routes.g.InATextBlock
                            \""";
                    routes.h.Qualified field = new routes.h.Qualified();
                    char quote = '"';
                    routes.i.AfterACharLiteral other;
                }
                """;
        assertThat(referencedPackages(source)).containsExactly("b", "c", "h", "i");
    }

    /** Who uses {@code to} in {@code from}: the files of {@code from} that reference it. */
    static Set<String> users(Map<String, Map<String, Set<String>>> dependencies, String from, String to) {
        return dependencies.getOrDefault(from, Map.of()).getOrDefault(to, Set.of());
    }

    /** The cycles of the graph, each once, as "a → b → a" from its first package in alphabetical order. */
    static List<String> cycles(Map<String, Map<String, Set<String>>> dependencies) {
        Set<String> found = new TreeSet<>();
        for (String start : new TreeSet<>(dependencies.keySet())) {
            walk(dependencies, new ArrayList<>(List.of(start)), found);
        }
        return new ArrayList<>(found);
    }

    /** Extends {@code path} by every edge from its last package; a path back to its start is a cycle. */
    private static void walk(Map<String, Map<String, Set<String>>> dependencies, List<String> path, Set<String> found) {
        String start = path.get(0);
        for (String next : new TreeSet<>(dependencies.getOrDefault(path.get(path.size() - 1), Map.of()).keySet())) {
            if (next.equals(start)) {
                found.add(String.join(" → ", path) + " → " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                walk(dependencies, path, found);
                path.remove(path.size() - 1);
            }
        }
    }

    /**
     * Package → (package it references → files referencing it), over the .java files under {@code root}; the
     * package is the first name {@code reference} captures. Files directly in {@code root} are left out.
     */
    static Map<String, Map<String, Set<String>>> dependencies(Path root, Pattern reference) {
        Map<String, Map<String, Set<String>>> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = root.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // e.g. routes.IngestApplication: the root wires everything
                }
                String own = relative.getName(0).toString();
                for (String used : referencedPackages(Files.readString(file), reference)) {
                    if (!used.equals(own)) {
                        result.computeIfAbsent(own, k -> new TreeMap<>())
                                .computeIfAbsent(used, k -> new TreeSet<>()).add(relative.toString());
                    }
                }
                result.computeIfAbsent(own, k -> new TreeMap<>());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /** The top-level packages under {@code routes} that a Java source references in code. */
    static Set<String> referencedPackages(String javaSource) {
        return referencedPackages(javaSource, REFERENCE);
    }

    static Set<String> referencedPackages(String javaSource, Pattern reference) {
        Set<String> packages = new TreeSet<>();
        Matcher m = reference.matcher(codeOnly(javaSource));
        while (m.find()) {
            packages.add(m.group(1));
        }
        return packages;
    }

    /** The source with comments, string and text-block literals and char literals blanked out. */
    static String codeOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                i = skipTo(s, i, "\n", 0);
            } else if (s.startsWith("/*", i)) {
                i = skipTo(s, i + 2, "*/", 2);
            } else if (s.startsWith("\"\"\"", i)) {
                i = skipTo(s, i + 3, "\"\"\"", 3);
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i++);
                while (i < s.length() && s.charAt(i) != quote) {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else {
                out.append(s.charAt(i++));
                continue;
            }
            out.append(' ');
        }
        return out.toString();
    }

    /** The index after {@code end} (of length {@code endLength}, 0 to stop before it), from {@code from}. */
    private static int skipTo(String s, int from, String end, int endLength) {
        int at = s.indexOf(end, from);
        return at < 0 ? s.length() : at + endLength;
    }
}
