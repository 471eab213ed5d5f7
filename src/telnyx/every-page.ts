import pLimit from "p-limit";

/** A page of a paged list: its items and the pagination the API reported with it. */
export interface Page<T> {
  items: T[];
  totalPages: number;
  totalResults: number | undefined;
}

/**
 * Every page of a paged list: the first gives the page count, the rest are read at most `concurrency` at
 * once. The first failure stops the reading (no further page is asked for) and is thrown. Each page's
 * items in page order, with the total the first page reported.
 */
export async function everyPage<T>(
  readPage: (pageNumber: number) => Promise<Page<T>>,
  concurrency: number,
): Promise<{ pages: T[][]; totalResults: number | undefined }> {
  const first = await readPage(1);
  const limit = pLimit(concurrency);
  const pageNumbers = Array.from({ length: Math.max(0, first.totalPages - 1) }, (_, i) => i + 2);
  let rest: Page<T>[];
  try {
    rest = await Promise.all(pageNumbers.map((n) => limit(() => readPage(n))));
  } catch (error) {
    limit.clearQueue();
    throw error;
  }
  return { pages: [first.items, ...rest.map((page) => page.items)], totalResults: first.totalResults };
}
