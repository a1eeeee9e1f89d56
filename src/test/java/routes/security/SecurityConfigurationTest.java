package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.yaml.snakeyaml.Yaml;

/** No working default password where it matters: the brokers profile requires one, the default generates one into a private file. */
@ExtendWith(OutputCaptureExtension.class)
class SecurityConfigurationTest {

    private final org.springframework.security.crypto.password.PasswordEncoder encoder =
            PasswordEncoderFactories.createDelegatingPasswordEncoder();

    @Test
    void refusesToStartWithoutAPasswordWhenOneIsRequired() {
        var config = new SecurityConfiguration(new SecurityProperties("admin", "", "", "", true, "unused"));
        assertThatThrownBy(() -> config.ingestUsers(encoder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ingest.security.admin-password")
                .hasMessageContaining("INGEST_ADMIN_PASSWORD");
    }

    @Test
    void theConfiguredPasswordIsTheOnlyOneThatWorks() {
        var users = new SecurityConfiguration(new SecurityProperties("ops", "pw-1", "", "", true, "unused")).ingestUsers(encoder);
        String stored = users.loadUserByUsername("ops").getPassword();
        assertThat(encoder.matches("pw-1", stored)).isTrue();
        assertThat(encoder.matches("admin", stored)).isFalse();
    }

    @Test
    void withoutAPasswordTheDefaultProfileGetsARandomOneInAFileOnlyItsOwnerReads(@TempDir Path data,
                                                                             CapturedOutput log) throws Exception {
        Path file = data.resolve("data/admin-password");
        String stored = defaultProfile(file).ingestUsers(encoder).loadUserByUsername("admin").getPassword();

        assertThat(file).exists();
        String password = Files.readString(file).trim();
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        assertThat(encoder.matches(password, stored)).isTrue();
        for (String guess : new String[] {"", "admin", "password", "changeme"}) {
            assertThat(encoder.matches(guess, stored)).as(guess).isFalse();
        }
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        // Logs go to files and log shippers: they name the file, never the password.
        assertThat(log.getAll()).doesNotContain(password).contains(file.toString());
    }

    @Test
    void theGeneratedPasswordSurvivesARestartAndItsFileIsKeptPrivate(@TempDir Path data) throws Exception {
        Path file = data.resolve("admin-password");
        defaultProfile(file).ingestUsers(encoder);
        String password = Files.readString(file).trim();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        String stored = defaultProfile(file).ingestUsers(encoder).loadUserByUsername("admin").getPassword();

        assertThat(encoder.matches(password, stored)).isTrue();
        assertThat(Files.readString(file).trim()).isEqualTo(password);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    private static SecurityConfiguration defaultProfile(Path passwordFile) {
        return new SecurityConfiguration(new SecurityProperties("admin", "", "", "", false, passwordFile.toString()));
    }

    @Test
    void theBrokersProfileRequiresAnAdminPasswordAndMainHasNoDefault() throws Exception {
        assertThat(security("application-brokers.yml").get("require-admin-password")).isEqualTo(true);
        assertThat(security("application.yml").get("admin-password")).isEqualTo("${INGEST_ADMIN_PASSWORD:}");
        assertThat(security("application.yml").get("generated-password-file"))
                .isEqualTo("${INGEST_ADMIN_PASSWORD_FILE:./data/admin-password}");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> security(String file) throws Exception {
        // The main resource, not the test classpath's config/application-brokers.yml.
        try (InputStream in = new java.io.FileInputStream("src/main/resources/" + file)) {
            Map<String, Object> root = new Yaml().load(in);
            return (Map<String, Object>) ((Map<String, Object>) root.get("ingest")).get("security");
        }
    }
}
