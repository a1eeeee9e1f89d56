package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's JVM flags, checked without a container engine: the AOT cache is trained with the flags the
 * image runs with (a cache made under other GC or heap flags is refused at start, and its recorded profiles and
 * inlining decisions would be another JIT's), and the JIT's inlining limits are among them (ADR 0006).
 */
class DockerfileJvmFlagsTest {

    private static final Pattern ENTRYPOINT = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$");
    private static final Pattern TRAINING_FLAGS = Pattern.compile("(?m)^RUN AOT_JAVA_FLAGS=\"([^\"]*)\"");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    @Test
    void theCacheIsTrainedWithTheFlagsTheImageRunsWith() throws Exception {
        List<String> training = List.of(trainingFlags().split("\\s+"));

        assertThat(entrypointFlags()).isNotEmpty().allSatisfy(flag -> assertThat(training).contains(flag));
    }

    @Test
    void theImageLimitsTheJitsInlining() throws Exception {
        assertThat(entrypointFlags()).contains("-XX:InlineSmallCode=500", "-XX:FreqInlineSize=100");
    }

    /** The ENTRYPOINT's -XX flags but the cache's own path (the training run writes the cache, it does not read one). */
    private static List<String> entrypointFlags() throws Exception {
        Matcher entrypoint = ENTRYPOINT.matcher(dockerfile());
        assertThat(entrypoint.find()).as("an ENTRYPOINT in exec form").isTrue();
        List<String> flags = new ArrayList<>();
        Matcher word = QUOTED.matcher(entrypoint.group(1));
        while (word.find()) {
            if (word.group(1).startsWith("-XX:") && !word.group(1).startsWith("-XX:AOTCache=")) {
                flags.add(word.group(1));
            }
        }
        return flags;
    }

    private static String trainingFlags() throws Exception {
        Matcher training = TRAINING_FLAGS.matcher(dockerfile());
        assertThat(training.find()).as("the AOT training step (RUN AOT_JAVA_FLAGS=...)").isTrue();
        return training.group(1);
    }

    private static String dockerfile() throws Exception {
        return Files.readString(Path.of("Dockerfile"));
    }
}
