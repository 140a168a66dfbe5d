import { defineConfig, mergeConfig } from "vitest/config";
import viteConfig from "./vite.config.ts";

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      include: ["src/**/*.test.{ts,tsx}"],
      environment: "happy-dom",
      restoreMocks: true,
      environmentOptions: {
        // The playground's iframe: accept it, never navigate it (and do not
        // log "iframe page loading is disabled" for each one).
        happyDOM: { settings: { enableIframePageLoading: true, navigation: { disableChildFrameNavigation: true } } },
      },
    },
  }),
);
