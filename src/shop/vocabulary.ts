/**
 * What a synthetic Russian catalogue is made of: per category, product kinds
 * with their brands, model names, price ranges and typical specifications.
 * Data, not logic: src/shop/generate.ts combines it deterministically.
 */
export interface ProductKind {
  noun: string
  brands: string[]
  models: string[]
  /** Price range in roubles. */
  price: [number, number]
  variants?: string[]
  colours?: boolean
  specs: Record<string, string[]>
  tags: string[]
  description: string
}

export const COLOURS = ['чёрный', 'белый', 'серый', 'синий', 'красный', 'зелёный', 'бежевый', 'розовый', 'графитовый', 'серебристый']

export const CATALOGUE: Record<string, ProductKind[]> = {
  Электроника: [
    {noun: 'Смартфон', brands: ['Samsung', 'Xiaomi', 'Apple', 'Realme', 'HONOR', 'TECNO'], models: ['A15', 'Note 13', 'Galaxy S24', 'iPhone 15', 'C67', 'Spark 20', 'X8b'], price: [8990, 129990], variants: ['6/128 ГБ', '8/256 ГБ', '12/512 ГБ'], colours: true, specs: {Экран: ['6.1" OLED', '6.5" IPS', '6.7" AMOLED 120 Гц'], Аккумулятор: ['4000 мА·ч', '5000 мА·ч', '5500 мА·ч']}, tags: ['смартфон', 'android', '5g'], description: 'Смартфон с ярким экраном, ёмким аккумулятором и быстрой зарядкой.'},
    {noun: 'Умные часы', brands: ['XYZ', 'Huawei', 'Amazfit', 'Samsung', 'Apple'], models: ['GT 4', 'Bip 5', 'Watch 6', 'Series 9', 'Pro 2'], price: [2990, 59990], colours: true, specs: {'Время работы': ['2 дня', '7 дней', '14 дней'], Защита: ['IP68', '5 ATM']}, tags: ['умные часы', 'гаджеты', 'здоровье'], description: 'Умные часы с пульсометром, GPS, уведомлениями и мониторингом сна.'},
    {noun: 'Беспроводные наушники', brands: ['Sony', 'JBL', 'Apple', 'Soundcore', 'Marshall'], models: ['WH-1000XM5', 'Tune 520BT', 'AirPods 3', 'Liberty 4', 'Major IV'], price: [1990, 39990], colours: true, specs: {'Время работы': ['20 ч', '30 ч', '80 ч'], Шумоподавление: ['активное', 'нет']}, tags: ['наушники', 'bluetooth'], description: 'Беспроводные наушники с чистым звуком и долгим временем работы.'},
    {noun: 'Ноутбук', brands: ['ASUS', 'Lenovo', 'HUAWEI', 'Acer', 'MSI'], models: ['VivoBook 15', 'IdeaPad Slim 3', 'MateBook D16', 'Aspire 5', 'Modern 14'], price: [32990, 189990], variants: ['8/256 ГБ', '16/512 ГБ', '32/1024 ГБ'], specs: {Процессор: ['Intel Core i5', 'AMD Ryzen 5', 'Intel Core i7', 'AMD Ryzen 7'], Экран: ['14" IPS', '15.6" IPS', '16" OLED']}, tags: ['ноутбук', 'для работы'], description: 'Ноутбук для работы и учёбы с быстрым SSD и матовым экраном.'},
    {noun: 'Телевизор', brands: ['Samsung', 'LG', 'Xiaomi', 'Haier', 'TCL'], models: ['Crystal UHD', 'NanoCell', 'A Pro', 'S4', 'C745'], price: [17990, 249990], variants: ['43"', '50"', '55"', '65"'], specs: {Разрешение: ['4K UHD', 'Full HD'], 'Smart TV': ['Tizen', 'webOS', 'Android TV']}, tags: ['телевизор', 'smart tv'], description: 'Телевизор с 4K-экраном, HDR и встроенными онлайн-кинотеатрами.'},
  ],
  'Бытовая техника': [
    {noun: 'Робот-пылесос', brands: ['Dreame', 'Roborock', 'Xiaomi', 'Tefal'], models: ['L10s', 'Q7 Max', 'S10', 'X-plorer'], price: [12990, 89990], colours: true, specs: {Всасывание: ['2700 Па', '4000 Па', '7000 Па'], Навигация: ['LDS', 'камера']}, tags: ['робот-пылесос', 'уборка', 'умный дом'], description: 'Робот-пылесос с лазерной навигацией и влажной уборкой.'},
    {noun: 'Кофемашина', brands: ["De'Longhi", 'Philips', 'Krups', 'Saeco'], models: ['Magnifica S', 'LatteGo 3200', 'Essential', 'Lirika'], price: [19990, 99990], specs: {Давление: ['15 бар', '19 бар'], Капучинатор: ['ручной', 'автоматический']}, tags: ['кофемашина', 'кухня'], description: 'Автоматическая кофемашина со встроенной кофемолкой.'},
    {noun: 'Электрический чайник', brands: ['Kitfort', 'Bosch', 'Polaris', 'Tefal'], models: ['KT-6140', 'TWK 3A', 'PWK 1731', 'Express'], price: [1290, 7990], colours: true, specs: {Объём: ['1,5 л', '1,7 л'], Мощность: ['2000 Вт', '2200 Вт']}, tags: ['чайник', 'кухня'], description: 'Чайник с быстрым закипанием и автоотключением.'},
    {noun: 'Стиральная машина', brands: ['Haier', 'LG', 'Bosch', 'Indesit'], models: ['HW60', 'F2J3', 'Serie 4', 'IWSE'], price: [24990, 89990], variants: ['6 кг', '7 кг', '8 кг'], specs: {Отжим: ['1000 об/мин', '1200 об/мин', '1400 об/мин'], Двигатель: ['инверторный', 'коллекторный']}, tags: ['стиральная машина'], description: 'Стиральная машина с паром и защитой от протечек.'},
  ],
  Одежда: [
    {noun: 'Куртка зимняя', brands: ['Finn Flare', 'Columbia', 'Outventure', 'Baon'], models: ['мужская', 'женская', 'с капюшоном'], price: [4990, 29990], colours: true, specs: {Утеплитель: ['биопух', 'натуральный пух', 'синтепон'], Температура: ['до -15 °C', 'до -25 °C', 'до -35 °C']}, tags: ['куртка', 'зима'], description: 'Тёплая зимняя куртка с ветрозащитной мембраной.'},
    {noun: 'Футболка', brands: ['Uniqlo', 'Befree', 'Zarina', 'Gloria Jeans'], models: ['базовая', 'оверсайз', 'поло'], price: [499, 2990], colours: true, specs: {Состав: ['100% хлопок', '95% хлопок, 5% эластан']}, tags: ['футболка', 'хлопок'], description: 'Футболка из мягкого хлопка на каждый день.'},
    {noun: 'Джинсы', brands: ["Levi's", 'Gloria Jeans', 'Lee', 'Wrangler'], models: ['501', 'slim', 'mom', 'straight'], price: [1990, 11990], colours: true, specs: {Посадка: ['прямая', 'зауженная', 'свободная']}, tags: ['джинсы', 'деним'], description: 'Джинсы из плотного денима классического кроя.'},
    {noun: 'Платье', brands: ['Love Republic', 'Zarina', 'Concept Club', 'Befree'], models: ['миди', 'макси', 'мини'], price: [1490, 8990], colours: true, specs: {Состав: ['вискоза', 'хлопок', 'трикотаж']}, tags: ['платье', 'женская'], description: 'Лёгкое платье приталенного силуэта.'},
  ],
  Обувь: [
    {noun: 'Кроссовки', brands: ['Nike', 'Adidas', 'Puma', 'New Balance', 'ASICS'], models: ['Pegasus 40', 'Ultraboost', 'RS-X', '574', 'Gel-Kayano'], price: [3990, 19990], colours: true, specs: {Назначение: ['бег', 'повседневные', 'тренировки']}, tags: ['кроссовки', 'спорт'], description: 'Лёгкие кроссовки с амортизирующей подошвой.'},
    {noun: 'Ботинки', brands: ['Ecco', 'Rieker', 'Timberland', 'Thomas Munz'], models: ['зимние', 'демисезонные', 'челси'], price: [5990, 24990], colours: true, specs: {Материал: ['натуральная кожа', 'замша', 'нубук']}, tags: ['ботинки', 'кожа'], description: 'Кожаные ботинки с противоскользящей подошвой.'},
  ],
  'Дом и сад': [
    {noun: 'Комплект постельного белья', brands: ['Togas', 'Cleo', 'Arya', 'Sova & Javoronok'], models: ['евро', '1,5-спальный', '2-спальный'], price: [1990, 12990], colours: true, specs: {Ткань: ['сатин', 'бязь', 'перкаль']}, tags: ['постельное бельё', 'спальня'], description: 'Комплект постельного белья из натуральной ткани.'},
    {noun: 'Сковорода', brands: ['Tefal', 'Rondell', 'Нева Металл', 'Kukmara'], models: ['24 см', '26 см', '28 см'], price: [990, 5990], specs: {Покрытие: ['антипригарное', 'титановое', 'керамическое']}, tags: ['сковорода', 'кухня'], description: 'Сковорода с антипригарным покрытием для всех плит.'},
    {noun: 'Садовый шланг', brands: ['Gardena', 'Karcher', 'Grinda'], models: ['15 м', '25 м', '50 м'], price: [990, 6990], specs: {Диаметр: ['1/2"', '3/4"']}, tags: ['сад', 'полив'], description: 'Армированный садовый шланг, не перекручивается.'},
  ],
  'Красота и здоровье': [
    {noun: 'Фен', brands: ['Dyson', 'Philips', 'Rowenta', 'Braun'], models: ['Supersonic', 'BHD', 'Studio Dry', 'Satin Hair'], price: [1990, 49990], colours: true, specs: {Мощность: ['1600 Вт', '2200 Вт']}, tags: ['фен', 'уход за волосами'], description: 'Фен с ионизацией и несколькими режимами температуры.'},
    {noun: 'Крем для лица', brands: ['La Roche-Posay', 'Vichy', 'Natura Siberica', 'Librederm'], models: ['увлажняющий', 'ночной', 'с SPF 30'], price: [390, 3490], specs: {Объём: ['30 мл', '50 мл']}, tags: ['крем', 'уход за кожей'], description: 'Крем для ежедневного ухода за кожей лица.'},
  ],
  'Спорт и отдых': [
    {noun: 'Велосипед', brands: ['Stels', 'Forward', 'Merida', 'Decathlon'], models: ['Navigator 700', 'Sporting 29', 'Big.Nine', 'Rockrider'], price: [14990, 119990], colours: true, specs: {Колёса: ['26"', '27.5"', '29"'], Скоростей: ['7', '21', '24']}, tags: ['велосипед', 'спорт'], description: 'Велосипед с алюминиевой рамой и дисковыми тормозами.'},
    {noun: 'Палатка', brands: ['Outventure', 'Tramp', 'Nova Tour', 'Quechua'], models: ['двухместная', 'трёхместная', 'четырёхместная'], price: [3990, 29990], specs: {Водостойкость: ['2000 мм', '3000 мм', '5000 мм']}, tags: ['палатка', 'туризм'], description: 'Туристическая палатка с тамбуром и проклеенными швами.'},
  ],
  'Детские товары': [
    {noun: 'Конструктор', brands: ['LEGO', 'Банда умников', 'Mega Bloks'], models: ['City', 'Technic', 'Classic', 'Duplo'], price: [990, 29990], specs: {Возраст: ['3+', '6+', '9+']}, tags: ['конструктор', 'для детей'], description: 'Конструктор для развития моторики и воображения.'},
    {noun: 'Мягкая игрушка', brands: ['Budi Basa', 'Мякиши', 'Gulliver'], models: ['медведь', 'заяц', 'кот', 'единорог'], price: [490, 3990], specs: {Высота: ['25 см', '40 см', '60 см']}, tags: ['игрушка', 'мягкая'], description: 'Мягкая игрушка из гипоаллергенных материалов.'},
  ],
  Книги: [
    {noun: 'Книга', brands: ['Эксмо', 'АСТ', 'Азбука', 'Питер', 'МИФ'], models: ['классика', 'детектив', 'фантастика', 'программирование', 'саморазвитие'], price: [290, 2490], specs: {Переплёт: ['твёрдый', 'мягкий'], Страниц: ['256', '384', '512']}, tags: ['книга'], description: 'Книга в твёрдом переплёте с качественной печатью.'},
  ],
  Продукты: [
    {noun: 'Кофе в зёрнах', brands: ['Lavazza', 'Jacobs', 'Poetti', 'Живой кофе'], models: ['Espresso', 'Crema', 'Arabica'], price: [590, 2990], variants: ['250 г', '500 г', '1 кг'], specs: {Обжарка: ['светлая', 'средняя', 'тёмная']}, tags: ['кофе'], description: 'Ароматный кофе в зёрнах для эспрессо и фильтра.'},
    {noun: 'Чай', brands: ['Greenfield', 'Curtis', 'Ahmad Tea', 'Richard'], models: ['чёрный', 'зелёный', 'травяной'], price: [149, 990], variants: ['25 пакетиков', '100 г', '200 г'], specs: {Тип: ['листовой', 'пакетированный']}, tags: ['чай'], description: 'Чай с насыщенным вкусом и ароматом.'},
  ],
}
