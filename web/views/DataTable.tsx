import type { ComponentChildren } from 'preact';

/** A table that scrolls sideways on a narrow screen, with plain column heads. */
export function DataTable(props: {
  /** The column heads, already in the reader's language. */
  heads: readonly string[];
  children: ComponentChildren;
  class?: string;
  testId?: string;
}) {
  return (
    <div class="scroll">
      <table class={props.class} data-testid={props.testId}>
        <thead>
          <tr>
            {props.heads.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
