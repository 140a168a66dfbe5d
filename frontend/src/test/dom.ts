import { render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";

/** Renders into a fresh container and lets effects and pending promises run. */
export async function mount(node: ComponentChild): Promise<HTMLElement> {
  document.body.innerHTML = "";
  const el = document.createElement("div");
  document.body.appendChild(el);
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
