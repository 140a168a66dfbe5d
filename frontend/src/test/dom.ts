import { render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";
import { afterAll } from "vitest";

// mounted is the container of the last mount: the next mount (and the
// test file's end) unmounts it, so no component of an earlier test keeps
// timers or fetches that render after happy-dom's document is gone.
let mounted: HTMLElement | null = null;

/** Unmounts the last mounted tree, running its effects' cleanups. */
export async function unmount(): Promise<void> {
  if (!mounted) return;
  const el = mounted;
  mounted = null;
  await act(async () => {
    render(null, el);
  });
}

afterAll(unmount);

/** Renders into a fresh container and lets effects and pending promises run. */
export async function mount(node: ComponentChild): Promise<HTMLElement> {
  await unmount();
  document.body.innerHTML = "";
  const el = document.createElement("div");
  document.body.appendChild(el);
  mounted = el;
  await act(async () => {
    render(node, el);
  });
  await flush();
  return el;
}

/** Runs pending promise callbacks and the renders they cause. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
}

export async function click(el: Element | null): Promise<void> {
  if (!el) throw new Error("nothing to click");
  await act(async () => {
    (el as HTMLElement).click();
  });
  await flush();
}

export function byTestId(root: ParentNode, id: string): HTMLElement | null {
  return root.querySelector(`[data-testid="${id}"]`);
}
