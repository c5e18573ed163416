// Wraps outside text (alert annotations, log lines, tool results) as clearly delimited, labelled untrusted data.

const TAG = 'untrusted_data';

/**
 * Quotes `text` inside `<untrusted_data source="...">` … `</untrusted_data>`. Any tag of the same name inside the text is
 * defused, so a log line cannot close the wrapper early and speak outside it.
 */
export function quoteUntrusted(source: string, text: string): string {
  const safeSource = source.replace(/[^\w:./-]/g, '_');
  const body = text.replace(/<(\/?)(untrusted_data)/gi, '&lt;$1$2');
  return `<${TAG} source="${safeSource}">\n${body}\n</${TAG}>`;
}

/** True when every occurrence of `needle` in `text` lies inside an untrusted_data wrapper (used by tests and checks). */
export function occursOnlyInsideUntrusted(text: string, needle: string): boolean {
  const open = new RegExp(`<${TAG} source="[^"]*">`, 'g');
  let outside = '';
  let pos = 0;
  for (let m = open.exec(text); m; m = open.exec(text)) {
    outside += text.slice(pos, m.index);
    const close = text.indexOf(`</${TAG}>`, open.lastIndex);
    if (close < 0) return false;
    pos = close + TAG.length + 3;
    open.lastIndex = pos;
  }
  outside += text.slice(pos);
  return !outside.includes(needle);
}
