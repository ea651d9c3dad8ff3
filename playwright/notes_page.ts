import type { Page } from '@playwright/test';

/** Posts a note as the notes page's button does; the status, and the error code if refused. */
export async function postNote(
  notes: Page,
  note: string,
): Promise<{ status: number; code?: string }> {
  return notes.evaluate(async (text) => {
    const res = await fetch('/api/session/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: text }),
    });
    const body = (await res.json()) as { code?: string };
    return body.code ? { status: res.status, code: body.code } : { status: res.status };
  }, note);
}
