package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.yaml.snakeyaml.Yaml;

/** No working default password where it matters: the brokers profile requires one, the default generates one. */
class SecurityConfigurationTest {

    private final org.springframework.security.crypto.password.PasswordEncoder encoder =
            PasswordEncoderFactories.createDelegatingPasswordEncoder();

    @Test
    void refusesToStartWithoutAPasswordWhenOneIsRequired() {
        var config = new SecurityConfiguration(new SecurityProperties("admin", "", "", "", true));
        assertThatThrownBy(() -> config.ingestUsers(encoder))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ingest.security.admin-password")
                .hasMessageContaining("INGEST_ADMIN_PASSWORD");
    }

    @Test
    void theConfiguredPasswordIsTheOnlyOneThatWorks() {
        var users = new SecurityConfiguration(new SecurityProperties("ops", "pw-1", "", "", true)).ingestUsers(encoder);
        String stored = users.loadUserByUsername("ops").getPassword();
        assertThat(encoder.matches("pw-1", stored)).isTrue();
        assertThat(encoder.matches("admin", stored)).isFalse();
    }

    @Test
    void withoutAPasswordTheDefaultProfileGetsARandomOne() {
        var config = new SecurityConfiguration(new SecurityProperties("admin", "", "", "", false));
        String first = config.ingestUsers(encoder).loadUserByUsername("admin").getPassword();
        String second = config.ingestUsers(encoder).loadUserByUsername("admin").getPassword();
        for (String guess : new String[] {"", "admin", "password", "changeme"}) {
            assertThat(encoder.matches(guess, first)).as(guess).isFalse();
        }
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void theBrokersProfileRequiresAnAdminPasswordAndMainHasNoDefault() throws Exception {
        assertThat(security("application-brokers.yml").get("require-admin-password")).isEqualTo(true);
        assertThat(security("application.yml").get("admin-password")).isEqualTo("${INGEST_ADMIN_PASSWORD:}");
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
