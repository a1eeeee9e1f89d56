package routes.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

class ExternalRoutesTest {

    private final ExternalRoutes external = new ExternalRoutes();

    @Test
    void withoutADirectoryOnlyTheJarRoutesAreLoaded() {
        MockEnvironment env = new MockEnvironment().withProperty(ExternalRoutes.INCLUDE, "classpath:routes/*.camel.yaml");
        external.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty(ExternalRoutes.INCLUDE)).isEqualTo("classpath:routes/*.camel.yaml");
        assertThat(env.getProperty("camel.main.routes-reload-enabled")).isNull();
    }

    @Test
    void aDirectoryIsAddedToTheIncludePatternAndWatchedWhenReloadIsOn(@TempDir Path dir) {
        MockEnvironment env = new MockEnvironment().withProperty(ExternalRoutes.INCLUDE, "classpath:routes/*.camel.yaml")
                .withProperty(ExternalRoutes.DIRECTORY, dir.toString()).withProperty(ExternalRoutes.RELOAD, "true");
        external.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty(ExternalRoutes.INCLUDE))
                .isEqualTo("classpath:routes/*.camel.yaml,file:" + dir.toAbsolutePath() + "/*.camel.yaml");
        assertThat(env.getProperty("camel.main.routes-reload-enabled")).isEqualTo("true");
        assertThat(env.getProperty("camel.main.routes-reload-directory")).isEqualTo(dir.toAbsolutePath().toString());
        assertThat(env.getProperty("camel.main.routes-reload-pattern")).isEqualTo("*.camel.yaml");
    }

    @Test
    void reloadStaysOffUnlessAskedFor(@TempDir Path dir) {
        MockEnvironment env = new MockEnvironment().withProperty(ExternalRoutes.DIRECTORY, dir.toString());
        external.postProcessEnvironment(env, new SpringApplication());
        assertThat(env.getProperty(ExternalRoutes.INCLUDE)).contains("file:");
        assertThat(env.getProperty("camel.main.routes-reload-enabled")).isNull();
    }

    @Test
    void aMissingDirectoryFailsStartUpWithTheKeyInTheMessage(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope");
        MockEnvironment env = new MockEnvironment().withProperty(ExternalRoutes.DIRECTORY, missing.toString());
        assertThatThrownBy(() -> external.postProcessEnvironment(env, new SpringApplication()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ingest.routes.directory");
        Files.createDirectory(missing);
        external.postProcessEnvironment(env, new SpringApplication());
    }
}
