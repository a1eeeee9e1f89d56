package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules through the real PromQL engine: {@code promtool check rules} and the unit tests of
 * {@code deploy/prometheus/alerts.test.yml} ({@code promtool test rules}), where every alert has a case
 * that fires it and one that must not. promtool comes with Debian's {@code prometheus} package, which
 * scripts/test-services.sh installs.
 */
class PrometheusRulesTest {

    static final Path ALERTS = Path.of("deploy/prometheus/alerts.yml");
    static final Path ALERT_TESTS = Path.of("deploy/prometheus/alerts.test.yml");
    static final Path KUBERNETES_RULES = Path.of("deploy/kubernetes/base/prometheusrule.yaml");

    @Test
    void theRulesAreValidAndTheirUnitTestsPass() throws Exception {
        assertPromtool("check", "rules", ALERTS.toString());
        assertPromtool("test", "rules", ALERT_TESTS.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasACaseThatFiresItAndOneThatMustNot() throws Exception {
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) yaml(ALERTS).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                alerts.add(String.valueOf(rule.get("alert")));
            }
        }
        Set<String> fired = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) yaml(ALERT_TESTS).get("tests")) {
            for (Map<String, Object> check : (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
                List<Object> expected = (List<Object>) check.get("exp_alerts");
                (expected == null || expected.isEmpty() ? quiet : fired).add(String.valueOf(check.get("alertname")));
            }
        }
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(9);
        assertThat(fired).as("alerts with a firing case").containsAll(alerts);
        assertThat(quiet).as("alerts with a case that must not fire").containsAll(alerts);
    }

    /** The Kubernetes PrometheusRule's groups are a rules file of their own: the same engine checks them. */
    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesRulesAreValidToo(@TempDir Path dir) throws Exception {
        Map<String, Object> spec = (Map<String, Object>) yaml(KUBERNETES_RULES).get("spec");
        Path rules = dir.resolve("kubernetes-rules.yml");
        Files.writeString(rules, new Yaml().dump(Map.of("groups", spec.get("groups"))));
        assertPromtool("check", "rules", rules.toString());
    }

    /** The delivery worker's alerts (WorkerDown, HighErrorRate, QueueBacklog) reach a cluster too, as they are. */
    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesRulesCarryTheDeliveryAlerts() throws Exception {
        Map<String, Object> delivery = group((List<Map<String, Object>>) yaml(ALERTS).get("groups"), "delivery-worker");
        Map<String, Object> spec = (Map<String, Object>) yaml(KUBERNETES_RULES).get("spec");
        Map<String, Object> kubernetes = group((List<Map<String, Object>>) spec.get("groups"), "delivery-worker");
        assertThat(kubernetes).as("a delivery-worker group in " + KUBERNETES_RULES).isNotNull();
        assertThat(kubernetes.get("rules")).isEqualTo(delivery.get("rules"));
        assertThat(((List<Map<String, Object>>) delivery.get("rules")).stream().map(r -> r.get("alert")))
                .containsExactly("WorkerDown", "HighErrorRate", "QueueBacklog");
    }

    private static Map<String, Object> group(List<Map<String, Object>> groups, String name) {
        return groups.stream().filter(g -> name.equals(g.get("name"))).findFirst().orElse(null);
    }

    static void assertPromtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(promtool()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
    }

    static String promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        throw new AssertionError("promtool not found: install Debian's prometheus package "
                + "(apt-get install -y prometheus; scripts/test-services.sh does it)");
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml().load(in);
        }
    }
}
